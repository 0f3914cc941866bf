#!/usr/bin/env bash
# wine32.sh: makes sure Debian's 32-bit Wine (/usr/lib/wine/wine, wine32:i386)
# is installed beside wine64, adding the i386 architecture (multiarch) once.
# The x86 DLLs, the x86 doctor and the 32-bit Delphi tests run under it.
set -eu
[ -x /usr/lib/wine/wine ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing 32-bit Wine: run  sudo dpkg --add-architecture i386 && sudo apt-get update && sudo apt-get install -y wine32:i386" >&2
  exit 1
fi
echo "wine32.sh: installing wine32:i386 (multiarch)" >&2
dpkg --print-foreign-architectures | grep -qx i386 || dpkg --add-architecture i386
apt-get -o DPkg::Lock::Timeout=900 update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq wine32:i386 >/dev/null
test -x /usr/lib/wine/wine
