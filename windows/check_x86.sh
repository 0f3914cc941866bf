#!/usr/bin/env bash
# check_x86.sh DIR : static proof that the x86 DLLs in DIR (built by
# mk/windows.mk, build/windows-386) are callable as cdecl (a fast first check;
# mk/windows.mk also runs them under 32-bit Wine; docs/windows.md#32-bit-x86-is-run):
#  1. every export of teleradyoloji.dll and teleradyoloji-core.dll is an
#     undecorated trl_* name (no _x, no x@N: cdecl, not stdcall/fastcall);
#  2. the import library defines only cdecl-decorated COFF symbols
#     (_trl_x and __imp__trl_x);
#  3. a caller declaring the header's functions __cdecl links against it, and
#     the same caller declaring them __stdcall does not (it asks for _trl_x@N);
#  4. the 386 test programs import only undecorated trl_* from teleradyoloji.dll.
set -euo pipefail
dir=$1
tool=i686-w64-mingw32
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check_x86: $*" >&2; exit 1; }

for dll in "$dir/teleradyoloji.dll" "$dir/teleradyoloji-core.dll"; do
  dump=$($tool-objdump -p "$dll")
  grep -q "file format pei-i386" <<<"$dump" || fail "$dll is not a PE32 i386 file"
  names=$(echo "$dump" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' | tail -n +2 | awk '{print $NF}')
  [ -n "$names" ] || fail "$dll exports nothing"
  bad=$(echo "$names" | grep -vE '^trl_[a-z_]+$' || true)
  [ -z "$bad" ] || fail "$dll exports decorated or foreign names: $bad"
  echo "$dll: $(echo "$names" | wc -l) exports, all undecorated cdecl names"
done

syms=$($tool-nm "$dir/teleradyoloji.lib" | awk '$2 ~ /^[TI]$/ {print $3}' | grep trl_ | sort -u)
bad=$(echo "$syms" | grep -vE '^(__imp__|_)trl_[a-z_]+$' || true)
[ -z "$bad" ] || fail "teleradyoloji.lib has non-cdecl symbols: $bad"
echo "$dir/teleradyoloji.lib: $(echo "$syms" | wc -l) symbols, all cdecl (_trl_x, __imp__trl_x)"

here=$(cd "$(dirname "$0")/.." && pwd)
$tool-gcc -std=c11 -Wall -Werror -O1 -o "$tmp/cdecl.exe" "$here/tests/c/x86_caller.c" "$dir/teleradyoloji.lib" ||
  fail "a cdecl caller does not link against teleradyoloji.lib"
imports=$($tool-objdump -p "$tmp/cdecl.exe" | sed -n '/DLL Name: teleradyoloji.dll/,/^$/p' | awk 'NF==3 && $3 ~ /trl_/ {print $3}' | sort)
want=$(grep -cE 'TRL_CALL[[:space:]]+\**[[:space:]]*trl_[a-z_]+[[:space:]]*\(' "$here/include/teleradyoloji.h")
[ "$(echo "$imports" | wc -l)" = "$want" ] || fail "the cdecl caller imports $(echo "$imports" | wc -l) functions, want $want (the header's): $imports"
echo "a __cdecl caller links and imports $want undecorated trl_* from teleradyoloji.dll"
if $tool-gcc -std=c11 -O1 -DAS_STDCALL -o "$tmp/stdcall.exe" "$here/tests/c/x86_caller.c" "$dir/teleradyoloji.lib" \
    2>"$tmp/stdcall.err"; then
  fail "a __stdcall caller linked: the import library is not cdecl-only"
fi
grep -q 'trl_abi_version@0' "$tmp/stdcall.err" || fail "the __stdcall link failed for another reason: $(head -3 "$tmp/stdcall.err")"
echo "a __stdcall caller does not link (undefined _trl_abi_version@0 ...), as it must not"

for exe in "$dir"/test_*.exe; do
  [ -e "$exe" ] || continue
  got=$($tool-objdump -p "$exe" | sed -n '/DLL Name: teleradyoloji.dll/,/^$/p' | awk 'NF==3 && !/DLL Name|vma:/ {print $3}')
  bad=$(echo "$got" | grep -vE '^trl_[a-z_]+$' || true)
  [ -z "$bad" ] || fail "$exe imports decorated names: $bad"
  echo "$exe: imports $(echo "$got" | wc -l) undecorated trl_* from teleradyoloji.dll"
done
