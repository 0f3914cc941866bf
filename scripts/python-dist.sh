#!/usr/bin/env bash
# python-dist.sh PYTHON VERSION STAGE DIST LINUX_SO WIN64_DLL WIN32_DLL
# Builds, offline, into DIST: three wheels, each with its native library
# beside the package (on Windows teleradyoloji.dll and the
# teleradyoloji-core.dll it loads from its folder, taken from beside
# WIN*_DLL), and an sdist with the library's Go sources:
#   teleradyoloji-V-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
#   teleradyoloji-V-py3-none-win_amd64.whl, teleradyoloji-V-py3-none-win32.whl
#   teleradyoloji-V.tar.gz (native/: go.mod, go.sum, core/, export/, include/, vendor/)
# The manylinux tag is true because make build links the .so inside a
# Debian 11 tree (GLIBC_2.17 at most; test-python-packages checks it with
# auditwheel). Each is built from its own copy of the package in STAGE.
set -euo pipefail
python=$1 version=$2 stage=$3 dist=$4 so=$5 dll64=$6 dll32=$7
repo=$(cd "$(dirname "$0")/.." && pwd)
src=$repo/bindings/python
rm -rf "$stage" "$dist"
mkdir -p "$stage" "$dist"
dist=$(cd "$dist" && pwd)

# copy DIR: the package as it is shipped, its version stamped.
copy() {
  mkdir -p "$1"
  cp -R "$src/pyproject.toml" "$src/setup.py" "$src/README.md" "$src/MANIFEST.in" "$src/teleradyoloji" "$1/"
  cp -R "$repo/LICENSE" "$repo/NOTICE" "$repo/LICENSES" "$1/"  # setuptools puts LICEN[CS]E*, NOTICE* in the wheel
  rm -rf "$1/teleradyoloji/__pycache__"
  echo "$version" >"$1/VERSION"
  sed -i "s/^__version__ = .*/__version__ = \"$version\"/" "$1/teleradyoloji/__init__.py"
}

wheel() { # wheel NAME LIBRARY FILE_IN_PACKAGE PLATFORM
  copy "$stage/$1"
  cp "$2" "$stage/$1/teleradyoloji/$3"
  if [ "$3" = teleradyoloji.dll ]; then cp "$(dirname "$2")/teleradyoloji-core.dll" "$stage/$1/teleradyoloji/"; fi
  (cd "$stage/$1" && TRL_WHEEL_PLATFORM=$4 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$python" -m pip wheel -q --no-build-isolation --no-deps --no-index -w "$dist" .)
}

wheel linux "$so" libteleradyoloji.so manylinux_2_17_x86_64.manylinux2014_x86_64
wheel win_amd64 "$dll64" teleradyoloji.dll win_amd64
wheel win32 "$dll32" teleradyoloji.dll win32

# The sdist: Go sources without tests, and every module they need (vendor/),
# so that building it needs Go and a C compiler but no network.
copy "$stage/sdist"
native=$stage/sdist/native
mkdir -p "$native/include"
cp "$repo/go.mod" "$repo/go.sum" "$native/"
cp "$repo/include/teleradyoloji.h" "$native/include/"
(cd "$repo" && find core export -type f ! -name '*_test.go' ! -path '*/testdata/*' ! -name '*.syso') |
  while read -r f; do mkdir -p "$native/$(dirname "$f")" && cp "$f" "$native/$f"; done
(cd "$repo" && GOFLAGS=-mod=mod GOPROXY=off go mod vendor -o "$native/vendor")
(cd "$stage/sdist" && "$python" setup.py -q sdist -d "$dist" >/dev/null)
ls -1 "$dist"
