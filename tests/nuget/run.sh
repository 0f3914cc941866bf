#!/usr/bin/env bash
# run.sh NUPKG CSPROJ NETSTANDARD_DLL WORKDIR: the NuGet package as a .NET Framework team takes it
# (make test-nuget, under scripts/with-sandbox.sh; VERSION, WINE32/WINE64, WINEPREFIX32/64 and
# PYTHON from mk/nuget.mk).
#   1. Its files: the layout below, the same as Teleradyoloji.csproj packs (bindings/dotnet/
#      nuspec.py --list), each byte for byte the file it was packed from.
#   2. lib/netstandard2.0's assembly uses only types netstandard.dll has (mk/nuget.mk says why).
#   3. nuget install from a folder feed (NuGet.Config: <clear/> and that folder only; no network) into
#      Consumer/ (a packages.config project), built with xbuild for x86 and for x64.
#   4. Beside each program: the DLL pair of its platform (PE machine types), the other pairs in
#      x86\ and x64\, each loaded by loadpair.exe under the Wine of its bitness.
#   5. The built program under Mono (Linux; .NET Framework programs need wine-mono, which Debian
#      lacks) with the package's linux-x64 .so opens a study against the sandbox.
# Ends with "N passed, M failed"; exits non-zero when anything failed.
set -u
nupkg=$(realpath "$1") csproj=$2 netstandard=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
passed=0
failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
# check NAME CMD...: CMD's output is shown when it fails, or always with SHOW=1 (the Wine loads).
check() {
  local name=$1 out rc
  shift
  out=$("$@" 2>&1)
  rc=$?
  if [ $rc -eq 0 ]; then ok "$name"; else fail "$name"; fi
  if [ -n "$out" ] && { [ $rc -ne 0 ] || [ "${SHOW:-}" = 1 ]; }; then echo "$out" | sed 's/^/     /'; fi
}

rm -rf "$work" && mkdir -p "$work/feed" "$work/home"
cd "$work" && work=$PWD || exit 1
# No stray NuGet configuration or cache: a home of its own.
export HOME=$work/home

# 1. The package's files.
layout="LICENSE
NOTICE
README.md
build/Teleradyoloji.targets
buildTransitive/Teleradyoloji.targets
lib/netstandard2.0/Teleradyoloji.Net.dll
lib/netstandard2.0/Teleradyoloji.Net.xml
runtimes/linux-x64/native/libteleradyoloji.so
runtimes/win-x64/native/teleradyoloji-core.dll
runtimes/win-x64/native/teleradyoloji.dll
runtimes/win-x86/native/teleradyoloji-core.dll
runtimes/win-x86/native/teleradyoloji.dll"
# NuGet's own entries (the manifest, OPC parts) are not the package's files.
packed=$(unzip -Z1 "$nupkg" | grep -vE '^(Teleradyoloji\.nuspec|_rels/\.rels|\[Content_Types\]\.xml|package/services/metadata/core-properties/[^/]+\.psmdcp)$' | sort)
wanted=$(cd "$repo" && "$PYTHON" bindings/dotnet/nuspec.py --list "$csproj" "$VERSION" build build/nuget/lib) # absolute sources
check "the package holds exactly the documented layout" diff <(echo "$layout") <(echo "$packed")
check "the package holds exactly what the .csproj packs" diff <(echo "$wanted" | cut -f1 | sort) <(echo "$packed")
same_bytes() {
  local path src bad=0
  while IFS=$'\t' read -r path src; do
    unzip -p "$nupkg" "$path" | cmp -s - "$src" || { echo "$path differs from $src"; bad=1; }
  done <<<"$wanted"
  return $bad
}
check "each packed file is the file the .csproj names" same_bytes
check "the manifest names Teleradyoloji $VERSION" \
  grep -qx "    <version>$VERSION</version>" <(unzip -p "$nupkg" Teleradyoloji.nuspec)

# 2. netstandard 2.0's types only: each type the assembly takes from mscorlib, System or
#    System.Core is one netstandard.dll forwards, and it references no other assembly.
surface() {
  local il
  il=$(unzip -p "$nupkg" lib/netstandard2.0/Teleradyoloji.Net.dll >asm.dll && ikdasm asm.dll) || return 1
  echo "$il" | sed -n 's/^\.assembly extern //p' | grep -vxE 'mscorlib|System|System\.Core' && return 1
  comm -23 <(echo "$il" | grep -oE '\[(mscorlib|System|System\.Core)\][A-Za-z0-9_.`]+' | sed 's/^\[[^]]*\]//' | sort -u) \
    <(ikdasm "$netstandard" | sed -n 's/^\.class extern forwarder //p' | sort -u) | grep . && return 1
  return 0
}
check "lib/netstandard2.0 uses only netstandard 2.0's types" surface

# 3. A folder feed and a packages.config project.
cp "$nupkg" feed/
cat >NuGet.Config <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
  </packageSources>
</configuration>
EOF
mkdir Consumer
cp "$here/Consumer/Consumer.csproj" "$here/Consumer/packages.config" "$repo/examples/dotnet/OpenStudy.cs" Consumer/
if ! grep -q "id=\"Teleradyoloji\" version=\"$VERSION\"" Consumer/packages.config; then
  fail "tests/nuget/Consumer names Teleradyoloji $VERSION (packages.config and the .csproj's paths: update them)"
fi
# In a network namespace of its own (no network at all): a source it would try beside the folder
# shows as a warning (NameResolutionFailure), which fails the check.
restore() {
  local out
  out=$(unshare -n nuget install Consumer/packages.config -OutputDirectory packages -ConfigFile NuGet.Config \
    -NoCache -NonInteractive 2>&1) || { echo "$out"; return 1; }
  ! grep -iE 'warn|error' <<<"$out"
}
check "nuget install from the folder feed, without network" restore
pkg=packages/Teleradyoloji.$VERSION

# pe_machine FILE: the PE header's machine field (014c i386, 8664 x86-64).
pe_machine() {
  local at
  at=$(od -An -tu4 -j60 -N4 "$1" | tr -d ' ') && od -An -tx2 -j$((at + 4)) -N2 "$1" | tr -d ' '
}
declare -A machine=([x86]=014c [x64]=8664) wine=([x86]=$WINE32 [x64]=$WINE64) prefix=([x86]=$WINEPREFIX32 [x64]=$WINEPREFIX64)
declare -A gcc=([x86]=i686-w64-mingw32-gcc [x64]=x86_64-w64-mingw32-gcc)
# pair DIR ARCH: DIR holds the package's ARCH pair, byte for byte.
pair() {
  local dir=$1 arch=$2 f bad=0
  for f in teleradyoloji.dll teleradyoloji-core.dll; do
    [ -f "$dir/$f" ] || { echo "$dir/$f is missing"; bad=1; continue; }
    [ "$(pe_machine "$dir/$f")" = "${machine[$arch]}" ] || { echo "$dir/$f: PE machine $(pe_machine "$dir/$f"), not ${machine[$arch]} ($arch)"; bad=1; }
    cmp -s "$dir/$f" "$pkg/runtimes/win-$arch/native/$f" || { echo "$dir/$f is not the package's win-$arch one"; bad=1; }
  done
  return $bad
}
# load DIR ARCH: loadpair.exe (ARCH) loads DIR's pair under ARCH's Wine.
load() {
  (cd "$1" && WINEPREFIX=${prefix[$2]} WINEDEBUG=-all timeout 300 "${wine[$2]}" "$work/loadpair-$2.exe" '.\teleradyoloji.dll') || return 1
}

for arch in x86 x64; do
  "${gcc[$arch]}" -std=c11 -Wall -Wextra -Werror -O1 -o "loadpair-$arch.exe" "$here/loadpair.c" || fail "loadpair.c ($arch)"
done

# 4. and 5., per platform.
for arch in x86 x64; do
  bin=Consumer/bin/$arch
  if ! xbuild /nologo /v:minimal /p:Platform=$arch Consumer/Consumer.csproj >xbuild-$arch.log 2>&1; then
    fail "xbuild /p:Platform=$arch"
    sed 's/^/     /' xbuild-$arch.log
    continue
  fi
  ok "xbuild /p:Platform=$arch"
  check "$arch: its DLL pair is beside the program" pair "$bin" "$arch"
  check "$arch: x86\\ holds the x86 pair, x64\\ the x64 pair" eval 'pair "$bin/x86" x86 && pair "$bin/x64" x64'
  SHOW=1 check "$arch: the pair beside the program loads under ${wine[$arch]##*/}" load "$bin" "$arch"
  # Mono runs it as a 64-bit process: the package's linux-x64 library, by LD_LIBRARY_PATH (the
  # targets copy only the Windows DLLs). The URL carries a one-time code: checked, never shown.
  if out=$(LD_LIBRARY_PATH=$work/$pkg/runtimes/linux-x64/native timeout 120 mono "$bin/OpenStudy.exe" ACC-EXAMPLE 12345678901 2>&1) &&
    grep -qE "^${TRL_SANDBOX_URL//./\\.}/viewer/#/viewpatient\?otac=[A-Za-z0-9%._~-]+$" <<<"$out"; then
    ok "$arch: the program opens a study against the sandbox (Mono, linux-x64 .so)"
  else
    fail "$arch: the program under Mono:"
    sed -E 's/otac=[^ "<>]+/otac=<secret>/g; s/^/     /' <<<"$out"
  fi
done
# The other bitness's folders, once: each pair loads under its own Wine.
SHOW=1 check "x86\\ loads under ${wine[x86]##*/}" load Consumer/bin/x64/x86 x86
SHOW=1 check "x64\\ loads under ${wine[x64]##*/}" load Consumer/bin/x86/x64 x64

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
