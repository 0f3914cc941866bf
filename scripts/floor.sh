#!/usr/bin/env bash
# floor.sh: the Debian 11 (bullseye) tree the Linux library is built in, so
# that it needs nothing newer than GLIBC_2.17 (DESIGN.md pitfall 12).
#
#   floor.sh tree            makes the tree once (as root), prints its path
#   floor.sh run CMD [ARG]…  runs CMD inside it, in this checkout, as the caller
#   floor.sh --i386 tree|run …  the same with the Debian 12 i386 tree that
#                            make test-x86-linux runs the bindings in (32-bit
#                            python3 and mono; TRL_FLOOR_I386_DIR)
#
# The tree lives outside the repository, in TRL_FLOOR_DIR (default
# /var/cache/teleradyoloji/bullseye-$REV) and is reused by every later build
# and every checkout. debootstrap takes a few minutes, once; a mirror other
# than debootstrap's default can be given in TRL_DEBIAN_MIRROR.
#
# `run` works in a private mount namespace (unshare): the root is an overlay of
# the tree (never written) with a tmpfs on top; the checkout, the host's Go
# (GOROOT), its build cache and its module cache are bind-mounted at the same
# paths inside, with /proc and /dev; the mounts vanish with the namespace
# however the command ends (and a trap unmounts them first). Go runs
# with GOTOOLCHAIN=local and GOPROXY=off: the modules must already be in the
# host's module cache (`go mod download`, which make build runs first).
# TRL_FLOOR_BUILD=DIR (absolute) is seen as the checkout's build/ inside: make
# test-x86-linux puts the 32-bit library where the bindings' tests look.
# Without root, `run` maps the caller to root in a user namespace; the tree
# must exist then. The network is the host's: tests inside reach a sandbox
# started outside on 127.0.0.1.
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin # chroot, debootstrap

if [ "${1:-}" = --i386 ]; then export TRL_FLOOR_I386=1; shift; fi # kept for __inner
# REV: bump when PACKAGES changes: a new tree is made beside the old one
if [ -n "${TRL_FLOOR_I386:-}" ]; then
  REV=1 SUITE=bookworm ARCH=i386 what="Debian 12 i386 test tree" opt="--i386 "
  # gdb dumps a hung .NET test; libboost-regex1.74.0 provides what its dependency names
  # (libboost-regex1.74.0-icu72, a virtual package that debootstrap does not resolve)
  PACKAGES=libc6-dev,gcc,make,python3,python3-venv,mono-runtime,mono-mcs,mono-xbuild,gdb,libboost-regex1.74.0
  dir=${TRL_FLOOR_I386_DIR:-/var/cache/teleradyoloji/$SUITE-$ARCH-$REV}
else
  REV=1 SUITE=bullseye ARCH= what="Debian 11 build tree" opt=
  PACKAGES=libc6-dev,gcc,python3,python3-venv
  dir=${TRL_FLOOR_DIR:-/var/cache/teleradyoloji/$SUITE-$REV}
fi
repo=$(cd "$(dirname "$0")/.." && pwd -P)

make_tree() {
  [ -f "$dir/.ready" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    {
      echo "floor.sh: the $what $dir does not exist; make it once, as root:"
      echo "  sudo ${TRL_FLOOR_DIR:+TRL_FLOOR_DIR=$dir }$repo/scripts/floor.sh ${opt}tree"
      echo "(it runs: debootstrap --variant=minbase ${ARCH:+--arch=$ARCH }--include=$PACKAGES $SUITE $dir, then touches $dir/.ready)"
    } >&2
    exit 1
  fi
  command -v debootstrap >/dev/null || "$repo/scripts/need.sh" debootstrap debootstrap
  mkdir -p "$(dirname "$dir")"
  exec 9>"$dir.lock"
  flock 9 # another build may be making it right now
  [ -f "$dir/.ready" ] && return 0
  rm -rf "$dir.partial"
  local start=$SECONDS
  echo "floor.sh: making the $what $dir (once; a few minutes)" >&2
  # shellcheck disable=SC2086
  if ! debootstrap --variant=minbase ${ARCH:+--arch=$ARCH} --include="$PACKAGES" "$SUITE" "$dir.partial" ${TRL_DEBIAN_MIRROR:-} \
    >"$dir.log" 2>&1; then
    tail -n 20 "$dir.log" >&2
    echo "floor.sh: debootstrap failed; full log: $dir.log" >&2
    exit 1
  fi
  rm -rf "$dir.partial/var/cache/apt/archives/"*.deb
  mv "$dir.partial" "$dir"
  touch "$dir/.ready"
  echo "floor.sh: made $dir in $((SECONDS - start)) s" >&2
}

# Inside the namespace: mount, chroot, run, unmount. The tree is never written: the chroot's
# root is an overlay of it with a tmpfs on top (mount points, /tmp, venvs of the tests), so
# that builds of several checkouts and users can share it, and a user without root can use it.
mounts=()
scratch=
cleanup() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
  mounts=()
  [ -z "$scratch" ] || rmdir "$scratch" 2>/dev/null || true
}
inner() {
  local goroot gocache gomodcache cwd root
  goroot=$1 gocache=$2 gomodcache=$3 cwd=$4
  shift 4
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  mount --make-rprivate / 2>/dev/null || true
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/trl-floor.XXXXXX")
  mount -t tmpfs -o mode=755 tmpfs "$scratch" && mounts+=("$scratch")
  mkdir "$scratch/upper" "$scratch/work" "$scratch/root"
  root=$scratch/root
  local target
  for target in "$goroot" "$gocache" "$gomodcache" "$repo"; do
    mkdir -p "$scratch/upper$target" # mount points, made in the upper layer: the tree is never written
  done
  mount -t overlay overlay -o "lowerdir=$dir,upperdir=$scratch/upper,workdir=$scratch/work" "$root"
  mounts+=("$root")
  bind() { # bind SRC [ro]
    mount --bind "$1" "$root$1"
    mounts+=("$root$1")
    if [ "${2:-}" = ro ]; then mount -o remount,bind,ro "$root$1" 2>/dev/null || true; fi
  }
  mount -t proc proc "$root/proc" && mounts+=("$root/proc")
  mount --rbind /dev "$root/dev" && mounts+=("$root/dev")
  bind "$goroot" ro
  bind "$gocache"
  bind "$gomodcache"
  bind "$repo"
  if [ -n "${TRL_FLOOR_BUILD:-}" ]; then # that folder is the checkout's build/ inside
    mount --bind "$TRL_FLOOR_BUILD" "$root$repo/build" && mounts+=("$root$repo/build")
  fi
  local rc=0
  chroot "$root" /usr/bin/env -i \
    PATH="$goroot/bin:/usr/local/bin:/usr/bin:/bin" HOME=/root LANG=C.UTF-8 \
    GOROOT="$goroot" GOCACHE="$gocache" GOMODCACHE="$gomodcache" GOPATH="$(dirname "$(dirname "$gomodcache")")" \
    GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false GOTELEMETRY=off CGO_ENABLED=1 \
    ${TRL_SANDBOX_URL:+TRL_SANDBOX_URL="$TRL_SANDBOX_URL"} \
    ${TELERADYOLOJI_THREAD_HANDOFF:+TELERADYOLOJI_THREAD_HANDOFF="$TELERADYOLOJI_THREAD_HANDOFF"} \
    /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$cwd" "$@" || rc=$?
  return $rc
}

case ${1:-} in
tree)
  make_tree
  echo "$dir"
  ;;
run)
  shift
  [ $# -gt 0 ] || { echo "usage: floor.sh [--i386] run CMD [ARG]..." >&2; exit 2; }
  make_tree
  go=${GO:-go}
  goroot=$("$go" env GOROOT) gocache=$("$go" env GOCACHE) gomodcache=$("$go" env GOMODCACHE)
  mkdir -p "$gocache" "$gomodcache"
  [ -z "${TRL_FLOOR_BUILD:-}" ] || mkdir -p "$TRL_FLOOR_BUILD" "$repo/build"
  cwd=$(pwd -P)
  case $cwd in "$repo" | "$repo"/*) ;; *) cwd=$repo ;; esac
  if [ "$(id -u)" = 0 ]; then
    exec unshare --mount --propagation private --pid --fork "$0" __inner "$goroot" "$gocache" "$gomodcache" "$cwd" "$@"
  fi
  exec unshare --user --map-root-user --mount --propagation private --pid --fork \
    "$0" __inner "$goroot" "$gocache" "$gomodcache" "$cwd" "$@"
  ;;
__inner)
  shift
  inner "$@"
  ;;
*)
  sed -n '2,26p' "$0" >&2
  exit 2
  ;;
esac
