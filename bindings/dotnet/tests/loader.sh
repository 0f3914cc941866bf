#!/usr/bin/env bash
# loader.sh DIR LIB: where the binding loads the native library from, and what it says when it
# cannot (NativeLoader), under Mono against the sandbox (TRL_SANDBOX_URL). DIR holds
# Teleradyoloji.Net.dll, OpenStudy.exe and LoaderTests.exe; LIB is the real libteleradyoloji.so.
# Each case gets its own folder with the binding, the example and maybe a (broken) library:
#   beside     the library beside Teleradyoloji.Net.dll, nothing on LD_LIBRARY_PATH: works
#   missing    no library anywhere: DllNotFoundException, each place tried and dlerror()'s text
#   glibc      a copy needing GLIBC_9.9.9 (beside, then on LD_LIBRARY_PATH): the loader's own
#              "version `GLIBC_9.9.9' not found" and the floor hint
#   bitness    a copy whose ELF class says the other bitness: BadImageFormatException, "wrong ELF class"
#   win32      LoaderTests.exe: the Win32 error texts (193 wrong bitness, 126, 127 old Windows…)
# Ends with "N passed, M failed".
set -u
dir=$1 lib=$2
# The process's bitness is the library's (make test-x86-linux runs this in 32-bit Mono).
case $(od -An -tu1 -j4 -N1 "$lib" | tr -d ' ') in 1) bits=32 other=64 ;; *) bits=64 other=32 ;; esac
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# setup NAME: a folder with the binding and the example.
setup() {
  mkdir -p "$tmp/$1"
  cp "$dir/Teleradyoloji.Net.dll" "$dir/OpenStudy.exe" "$tmp/$1/"
}

# patch SRC DST PYTHON-EXPR: a copy of the library with bytes changed.
patch() {
  python3 - "$1" "$2" "$3" <<'PY'
import sys
src, dst, how = sys.argv[1:]
data = bytearray(open(src, "rb").read())
if how == "glibc":
    old, new = b"\0GLIBC_2.3.2\0", b"\0GLIBC_9.9.9\0"
    assert data.count(old) == 1, data.count(old)
    data = data.replace(old, new)
elif how == "elfclass":  # the other bitness: ELFCLASS32 <-> ELFCLASS64
    assert data[:4] == b"\x7fELF" and data[4] in (1, 2), data[:5]
    data[4] = 3 - data[4]
open(dst, "wb").write(bytes(data))
PY
}

# expect NAME EXIT-OK(yes/no) LD_LIBRARY_PATH TEXT...: runs OpenStudy.exe in folder NAME.
expect() {
  local name=$1 ok=$2 path=$3 out rc part
  shift 3
  out=$(cd "$tmp" && LD_LIBRARY_PATH=$path timeout 60 mono "$tmp/$name/OpenStudy.exe" ACC-LOADER-1 2>&1)
  rc=$?
  if { [ "$ok" = yes ] && [ $rc -ne 0 ]; } || { [ "$ok" = no ] && [ $rc -eq 0 ]; }; then
    echo "FAIL loader $name: exit $rc"
    echo "$out" | sed -E 's/otac=[^ "<>]+/otac=<secret>/g' | head -30
    failed=$((failed + 1))
    return
  fi
  for part in "$@"; do
    if ! grep -qF -- "$part" <<<"$out"; then
      echo "FAIL loader $name: the output lacks [$part]:"
      echo "$out" | sed -E 's/otac=[^ "<>]+/otac=<secret>/g' | head -30
      failed=$((failed + 1))
      return
    fi
  done
  echo "ok   loader $name"
  passed=$((passed + 1))
}

setup beside
cp "$lib" "$tmp/beside/libteleradyoloji.so"
expect beside yes "" "/viewer/#/viewpatient?otac="

setup missing
expect missing no "" \
  "System.DllNotFoundException: the native teleradyoloji library was not found ($bits-bit process, Linux)" \
  "$tmp/missing/libteleradyoloji.so (beside Teleradyoloji.Net.dll): not found" \
  "libteleradyoloji.so (the search path: LD_LIBRARY_PATH, /etc/ld.so.cache, /lib, /usr/lib): libteleradyoloji.so: cannot open shared object file: No such file or directory" \
  "Put libteleradyoloji.so beside Teleradyoloji.Net.dll or in a directory on LD_LIBRARY_PATH."

setup glibc
patch "$lib" "$tmp/glibc/libteleradyoloji.so" glibc
expect glibc no "" \
  "System.DllNotFoundException: the native teleradyoloji library could not be loaded" \
  "$tmp/glibc/libteleradyoloji.so (beside Teleradyoloji.Net.dll): " \
  "version \`GLIBC_9.9.9' not found (required by $tmp/glibc/libteleradyoloji.so)" \
  "needs a newer C library (glibc) than this Linux has" "GLIBC_2.17 at most"

setup glibc-path
mkdir -p "$tmp/glibc-path/lib"
patch "$lib" "$tmp/glibc-path/lib/libteleradyoloji.so" glibc
expect glibc-path no "$tmp/glibc-path/lib" \
  "System.DllNotFoundException: the native teleradyoloji library could not be loaded" \
  "$tmp/glibc-path/libteleradyoloji.so (beside Teleradyoloji.Net.dll): not found" \
  "libteleradyoloji.so (the search path: LD_LIBRARY_PATH, /etc/ld.so.cache, /lib, /usr/lib): " \
  "version \`GLIBC_9.9.9' not found (required by $tmp/glibc-path/lib/libteleradyoloji.so)" \
  "needs a newer C library (glibc)"

setup bitness
patch "$lib" "$tmp/bitness/libteleradyoloji.so" elfclass
expect bitness no "" \
  "System.BadImageFormatException: the native teleradyoloji library could not be loaded ($bits-bit process" \
  "wrong ELF class: ELFCLASS$other" \
  "The library is for the other bitness"

if out=$(mono "$dir/LoaderTests.exe" 2>&1); then
  echo "ok   loader win32 error texts ($(tail -n1 <<<"$out"))"
  passed=$((passed + 1))
else
  echo "FAIL loader win32 error texts:"
  echo "$out"
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
