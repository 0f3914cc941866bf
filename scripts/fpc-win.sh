#!/usr/bin/env bash
# fpc-win.sh: Free Pascal cross units for i386-win32 and x86_64-win64, made
# from Debian's fpc-source (Debian ships no Windows RTL for FPC), for the
# Delphi unit's Windows tests (mk/delphi.mk).
#
#   fpc-win.sh tree                 makes the tree once, prints its path
#   fpc-win.sh fpc TARGET ARG...    runs the cross compiler for TARGET
#                                   (i386-win32 or x86_64-win64) with its units
#
# The tree lives outside the repository, in TRL_FPC_WIN_DIR (default
# /var/cache/teleradyoloji/fpc-win-$REV), made under a lock and marked
# .ready, and reused by every later build and checkout (like floor.sh's).
# Debian's source has only Makefile.fpc files, so the steps of
# rtl/win{32,64}/Makefile.fpc are followed by hand: msgtxt.inc regenerated
# with msg2inc from the installed errore.msg; ppcross386 built by ppcx64
# with -di386; the RTL (system, objpas, buildrtl); then the package units
# the tests use (UNITS), compiled from their sources on demand. FPC's
# internal assembler and linker need no mingw binutils.
set -euo pipefail

REV=1 # bump when the steps or UNITS change: a new tree is made beside the old one
UNITS=syncobjs,dateutils,strutils,sockets,winsock2,process,fpjson,jsonparser,fphttpclient
dir=${TRL_FPC_WIN_DIR:-/var/cache/teleradyoloji/fpc-win-$REV}
repo=$(cd "$(dirname "$0")/.." && pwd -P)

fpc_version() { ppcx64 -iV; }

make_tree() {
  [ -f "$dir/.ready" ] && return 0
  if [ "$(id -u)" != 0 ] && ! mkdir -p "$(dirname "$dir")" 2>/dev/null; then
    echo "fpc-win.sh: $dir does not exist; make it once, as root: sudo $0 tree" >&2
    exit 1
  fi
  command -v ppcx64 >/dev/null || "$repo/scripts/need.sh" fp-compiler ppcx64
  local v src
  v=$(fpc_version)
  src=/usr/share/fpcsrc/$v
  [ -d "$src/rtl/win64" ] || "$repo/scripts/need.sh" "fpc-source-$v" "$src/rtl/win64"
  mkdir -p "$(dirname "$dir")"
  exec 9>"$dir.lock"
  flock 9 # another build may be making it right now
  [ -f "$dir/.ready" ] && return 0
  rm -rf "$dir.partial"
  mkdir -p "$dir.partial"
  local start=$SECONDS
  echo "fpc-win.sh: making the FPC Windows units in $dir (once; about 20 s)" >&2
  local rc=0
  "$0" __build "$src" "$dir.partial" >"$dir.log" 2>&1 || rc=$? # its own process: set -e holds there
  if [ $rc != 0 ]; then
    tail -n 30 "$dir.log" >&2
    echo "fpc-win.sh: failed; full log: $dir.log" >&2
    exit 1
  fi
  mv "$dir.partial" "$dir"
  touch "$dir/.ready"
  echo "fpc-win.sh: made $dir in $((SECONDS - start)) s" >&2
}

# build SRC OUT: every step, into OUT (bin/ppcross386, i386-win32/, x86_64-win64/).
build() {
  local src=$1 out=$2 msgdir
  set -x
  msgdir=$(dirname "$(readlink -f "$(command -v ppcx64)")")/msg # the installed compiler's messages
  mkdir -p "$out/bin" "$out/msg" "$out/build/ppc386"
  fpc -FE"$out/build" "$src/compiler/utils/msg2inc.pp"
  (cd "$out/msg" && "$out/build/msg2inc" "$msgdir/errore.msg" msg msg)
  (cd "$src/compiler" && fpc -O2 -Sg -di386 -dGDB -Fi"$out/msg" -Fux86 -Fusystems -Fui386 -Fii386 -Fi. \
    -FU"$out/build/ppc386" -o"$out/bin/ppcross386" pp.pas)
  rtl "$src" "$out/x86_64-win64" ppcx64 win64 x86_64
  rtl "$src" "$out/i386-win32" "$out/bin/ppcross386" win32 i386
  rm -rf "$out/build" "$out/msg"
}

# rtl SRC OUT COMPILER OS CPU: the RTL as rtl/OS/Makefile.fpc builds it, then UNITS.
rtl() {
  local src=$1 out=$2 os=$4 cpu=$5 r=$1/rtl
  local pc=("$3" -n -O2 -T"$os" -P"$cpu" -FU"$out" -Fu"$out" -Fi"$r/inc" -Fi"$r/$cpu" -Fi"$r/x86" -Fu"$r/inc" -Fu"$r/$cpu" -Fu"$r/win")
  mkdir -p "$out"
  cd "$r/$os"
  "${pc[@]}" -Us -Sg system.pp -Fi../win
  "${pc[@]}" "$r/inc/uuchar.pp"
  [ "$os" = win64 ] || "${pc[@]}" "$r/inc/heaptrc.pp"
  "${pc[@]}" -I"$r/objpas" "$r/objpas/objpas.pp"
  "${pc[@]}" -Fi"$r/objpas/sysutils" -Fi"$r/objpas/classes" -I"$r/objpas" -I"$r/win/wininc" -Fu"$r/win/wininc" \
    -I"$r/win" -Fu"$r/objpas" buildrtl.pp
  "${pc[@]}" "$r/inc/lineinfo.pp"
  "${pc[@]}" "$r/inc/lnfodwrf.pp"
  local p=$src/packages units=() d
  { set +x; } 2>/dev/null
  for d in rtl-objpas/src/inc rtl-objpas/src/win rtl-objpas/src/common rtl-extra/src/inc rtl-extra/src/win \
    fcl-base/src fcl-base/src/win fcl-json/src fcl-process/src fcl-process/src/win fcl-net/src fcl-net/src/win \
    fcl-web/src/base fcl-passrc/src hash/src winunits-base/src; do
    [ -d "$p/$d" ] && units+=(-Fu"$p/$d" -Fi"$p/$d")
  done
  set -x
  printf 'program allunits;\nuses %s;\nbegin\nend.\n' "$UNITS" >"$out/allunits.pp"
  "${pc[@]}" "${units[@]}" -FE"$out" "$out/allunits.pp"
  rm -f "$out/allunits.pp" "$out/allunits.exe" "$out/allunits.o"
}

case ${1:-} in
tree)
  make_tree
  echo "$dir"
  ;;
fpc)
  shift
  target=${1:-}
  shift || true
  make_tree
  case $target in
  x86_64-win64) exec ppcx64 -n -Twin64 -Px86_64 -Fu"$dir/$target" "$@" ;;
  i386-win32) exec "$dir/bin/ppcross386" -n -Twin32 -Pi386 -Fu"$dir/$target" "$@" ;;
  *) echo "fpc-win.sh fpc: TARGET is i386-win32 or x86_64-win64" >&2; exit 2 ;;
  esac
  ;;
__build)
  shift
  build "$@"
  ;;
*)
  sed -n '2,18p' "$0" >&2
  exit 2
  ;;
esac
