#!/usr/bin/env bash
# dist.sh OUT: the release artifacts of one commit, from what make has built
# (make dist passes the paths in the environment: VERSION, BUILD, LINUX_ROOT,
# PY_DIST, NUPKG (may be empty), SBOM_TOOL, PYTHON, SOURCE_DATE_EPOCH).
#   teleradyoloji-V-windows.zip          x64/ and x86/ DLL pairs, .lib, .def,
#       the doctor and the sandbox; the header, the Delphi unit, examples,
#       docs/tr, README.txt, BENIOKU.txt, license files
#   teleradyoloji-V-linux-x86_64.tar.gz  make install's prefix (PREFIX=/usr/local)
#       and the doctor in bin/, license files in share/doc/teleradyoloji/
#   the wheels, the sdist, the nupkg; teleradyoloji-V.cdx.json (CycloneDX SBOM)
#   SHA256SUMS over all of them
# The same commit gives the same bytes (make test-reproducible): archive
# members sorted, times SOURCE_DATE_EPOCH, owner 0, fixed modes, gzip -n; the
# wheels and the nupkg re-zipped that way, the sdist re-tarred.
set -euo pipefail
export LC_ALL=C # one order for globs and sort
out=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
: "${VERSION:?}" "${BUILD:?}" "${LINUX_ROOT:?}" "${PY_DIST:?}" "${SBOM_TOOL:?}" "${SOURCE_DATE_EPOCH:?}"
python=${PYTHON:-python3}
zipper="$python $repo/scripts/dist-zip.py"
stage=$repo/$BUILD/dist-stage
rm -rf "$out" "$stage"
mkdir -p "$out" "$stage"
out=$(cd "$out" && pwd)
# tracked DEST PATH...: the files git tracks under PATH, copied to DEST with
# their paths (no __pycache__ or other leftovers of a test run).
tracked() { d=$1; shift; mkdir -p "$d" && git ls-files -z -- "$@" | xargs -0 cp --parents -t "$d"; }
licenses() { tracked "$1" LICENSE NOTICE LICENSES; }

# tarball DIR NAME OUT: DIR/NAME as a .tar.gz with nothing of this machine in it.
tarball() {
  tar -C "$1" --sort=name --format=gnu --owner=0 --group=0 --numeric-owner \
    --mtime="@$SOURCE_DATE_EPOCH" --mode=u+rwX,go=rX,-s -cf - "$2" | gzip -n -9 >"$3"
}

# Windows: one folder per architecture, named as Windows names them.
win=$stage/windows/teleradyoloji-$VERSION-windows
for a in amd64:x64 386:x86; do
  d=$win/${a#*:} b=$BUILD/windows-${a%%:*}
  mkdir -p "$d"
  cp "$b/teleradyoloji.dll" "$b/teleradyoloji-core.dll" "$b/teleradyoloji.lib" "$b/teleradyoloji.def" \
    "$b/teleradyoloji.exe" "$b/teleradyoloji-sandbox.exe" "$d/"
done
mkdir -p "$win/include" "$win/delphi"
cp include/teleradyoloji.h "$win/include/"
cp bindings/delphi/Teleradyoloji.pas "$win/delphi/"
tracked "$win" examples docs/tr
cp release/windows/README.txt release/windows/BENIOKU.txt CHANGELOG.md "$win/"
licenses "$win"
$zipper make "$out/teleradyoloji-$VERSION-windows.zip" "$stage/windows"

# Linux: make install's tree (LINUX_ROOT, PREFIX=/usr/local) with the doctor.
lin=$stage/linux/teleradyoloji-$VERSION-linux-x86_64
mkdir -p "$lin/bin"
cp -R "$LINUX_ROOT/usr/local/." "$lin/"
cp "$BUILD/teleradyoloji" "$lin/bin/"
licenses "$lin/share/doc/teleradyoloji"
cp CHANGELOG.md "$lin/share/doc/teleradyoloji/"
tarball "$stage/linux" "teleradyoloji-$VERSION-linux-x86_64" "$out/teleradyoloji-$VERSION-linux-x86_64.tar.gz"

# Python: the wheels re-zipped (RECORD stays true: only times and modes
# change), the sdist re-tarred (setuptools keeps the files' times and owner).
cp "$PY_DIST"/*.whl "$out/"
$zipper fix "$out"/*.whl
mkdir -p "$stage/sdist"
tar -C "$stage/sdist" -xzf "$PY_DIST/teleradyoloji-$VERSION.tar.gz"
tarball "$stage/sdist" "teleradyoloji-$VERSION" "$out/teleradyoloji-$VERSION.tar.gz"

# NuGet (mk/nuget.mk's NUPKG): nuget pack stamps the packing time on every member.
if [ -n "${NUPKG:-}" ]; then
  cp "$NUPKG" "$out/"
  $zipper fix "$out/$(basename "$NUPKG")"
fi

# The SBOM of the library (./export, what the DLLs and the .so link) with the
# Go toolchain (std), by cyclonedx-gomod. It takes the main module's version
# from git: the sources are staged in a repository of their own, tagged
# vVERSION, so the SBOM names the release whatever the checkout is.
src=$stage/sbom-src
mkdir -p "$src"
git ls-files -z -- go.mod go.sum core export cmd sandbox LICENSE | xargs -0 cp --parents -t "$src"
export GIT_AUTHOR_DATE="@$SOURCE_DATE_EPOCH" GIT_COMMITTER_DATE="@$SOURCE_DATE_EPOCH"
(cd "$src" && git -c init.defaultBranch=main init -q && git add -A && git config commit.gpgsign false &&
  git config tag.gpgsign false && git config core.hooksPath /dev/null &&
  git -c user.name=dist -c user.email=dist@localhost commit -qm "teleradyoloji $VERSION" &&
  git tag "v$VERSION")
(cd "$src" && GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=1 GOOS=linux GOARCH=amd64 \
  "$SBOM_TOOL" app -json -std -licenses -noserial -notimestamp -main export \
  -output "$out/teleradyoloji-$VERSION.cdx.json" . 2>"$stage/sbom.log") || { cat "$stage/sbom.log" >&2; exit 1; }

(cd "$out" && sha256sum -- * >SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
rm -rf "$stage"
ls -l "$out"
