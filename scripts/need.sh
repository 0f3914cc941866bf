#!/usr/bin/env bash
# need.sh PACKAGE COMMAND... : makes sure each COMMAND exists; when one is
# missing it installs the Debian PACKAGE (as root) or stops with the exact
# command to run. A test suite never skips for a missing tool.
set -eu
pkg=$1; shift
missing=0
for c in "$@"; do command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || missing=1; done
[ $missing = 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "need.sh: installing $pkg" >&2
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkg >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkg >/dev/null
  fi
  exit 0
fi
echo "missing tool(s) $*: run  sudo apt-get install -y $pkg  and try again" >&2
exit 1
