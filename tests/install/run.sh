#!/usr/bin/env bash
# run.sh VERSION: make install into temporary prefixes, then build and run the
# C example (examples/c/viewer_url.c) through pkg-config against the sandbox,
# from another directory; and the build line of docs/c.md from the checkout.
set -euo pipefail
version=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$repo"
fail() { echo "FAIL test-install: $*" >&2; exit 1; }
ok() { echo "ok   $*"; }

# 1. A private prefix: files, links, soname, .pc.
prefix=$tmp/prefix
make -s install PREFIX="$prefix" >/dev/null
lib=$prefix/lib
[ -f "$prefix/include/teleradyoloji.h" ] || fail "no header"
[ -f "$lib/libteleradyoloji.so.$version" ] && [ ! -L "$lib/libteleradyoloji.so.$version" ] || fail "no libteleradyoloji.so.$version"
[ "$(readlink "$lib/libteleradyoloji.so.1")" = "libteleradyoloji.so.$version" ] || fail "libteleradyoloji.so.1 is not a link to the library"
[ "$(readlink "$lib/libteleradyoloji.so")" = "libteleradyoloji.so.1" ] || fail "libteleradyoloji.so is not a link to .so.1"
soname=$(objdump -p "$lib/libteleradyoloji.so.$version" | awk '$1 == "SONAME" {print $2}')
[ "$soname" = libteleradyoloji.so.1 ] || fail "soname is '$soname'"
export PKG_CONFIG_PATH=$lib/pkgconfig
[ "$(pkg-config --modversion teleradyoloji)" = "$version" ] || fail "pkg-config --modversion: $(pkg-config --modversion teleradyoloji)"
ok "make install PREFIX=…: header, libteleradyoloji.so.$version (soname .so.1), .so.1 and .so links, teleradyoloji.pc $version"

# 2. The example, built as the README says, from elsewhere; run against the sandbox.
mkdir "$tmp/app"
cp examples/c/viewer_url.c "$tmp/app/"
(cd "$tmp/app" && cc -std=c11 -Wall -Werror -o viewer_url viewer_url.c $(pkg-config --cflags --libs teleradyoloji))
needed=$(objdump -p "$tmp/app/viewer_url" | awk '$1 == "NEEDED" && $2 ~ /teleradyoloji/ {print $2}')
[ "$needed" = libteleradyoloji.so.1 ] || fail "the program needs '$needed', not libteleradyoloji.so.1"
out=$(cd "$tmp/app" && env -u LD_LIBRARY_PATH "$repo/scripts/with-sandbox.sh" sh -c './viewer_url "$TRL_SANDBOX_URL" ACC-INSTALL-1')
echo "$out" | grep -qE '^http://127\.0\.0\.1:[0-9]+/viewer/#/viewpatient\?otac=[A-Za-z0-9%._~-]+$' ||
  fail "viewer_url printed no viewer URL"
loaded=$(cd "$tmp/app" && env -u LD_LIBRARY_PATH ldd ./viewer_url | awk '/libteleradyoloji/ {print $3}')
[ "$(readlink -f "$loaded")" = "$(readlink -f "$lib/libteleradyoloji.so.$version")" ] || fail "the program loads $loaded"
ok "cc viewer_url.c \$(pkg-config --cflags --libs teleradyoloji) runs from another directory, loading $prefix/lib"

# 3. DESTDIR staging for a package: files under DESTDIR, paths in the .pc without it, no rpath for /usr.
make -s install PREFIX=/usr DESTDIR="$tmp/stage" >/dev/null
pc=$tmp/stage/usr/lib/pkgconfig/teleradyoloji.pc
[ -f "$tmp/stage/usr/lib/libteleradyoloji.so.$version" ] && [ -f "$pc" ] || fail "DESTDIR: files missing"
grep -qx 'prefix=/usr' "$pc" && ! grep -q "$tmp" "$pc" || fail "DESTDIR leaked into the .pc"
grep -qx 'Libs: -L${libdir} -lteleradyoloji' "$pc" || fail "a /usr .pc has an rpath: $(grep ^Libs "$pc")"
ok "make install PREFIX=/usr DESTDIR=…: staged, .pc names /usr, no rpath"

# 4. The build line of docs/c.md, from the checkout.
cc -Iinclude examples/c/viewer_url.c -Lbuild -lteleradyoloji -Wl,-rpath,"$PWD/build" -o "$tmp/readme_viewer_url"
out=$(cd "$tmp" && env -u LD_LIBRARY_PATH "$repo/scripts/with-sandbox.sh" sh -c './readme_viewer_url "$TRL_SANDBOX_URL" ACC-README-1')
echo "$out" | grep -qE '^http://127\.0\.0\.1:[0-9]+/viewer/#/viewpatient\?otac=' || fail "the build line of docs/c.md gave a program that does not run"
for doc in README.md docs/c.md; do
  grep -qF 'cc -Iinclude app.c -Lbuild -lteleradyoloji -Wl,-rpath,"$PWD/build"' "$doc" || fail "$doc no longer shows this build line"
done
ok "the build line of README.md and docs/c.md (-Lbuild -lteleradyoloji -Wl,-rpath,\"\$PWD/build\") runs"
echo "test-install: all passed"
