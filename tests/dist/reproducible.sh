#!/usr/bin/env bash
# reproducible.sh [REV]: two `make dist` of one commit (HEAD by default, so
# commit first) give the same bytes. Each run is a clean clone at its own
# path; the second starts later, in another time zone, with umask 077 (its
# checkout's files are 0600) and its own empty Go build cache (nothing is
# reused from the first). The two dist/ trees are compared file by file; the
# first artifact that differs is shown member by member (tests/dist/diff.py).
# TRL_REPRO_SHARED_CACHE=1 keeps the shared Go cache for the second run
# (faster, proves less). Takes about 6 minutes (2 with the shared cache).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
rev=$(git -C "$repo" rev-parse "${1:-HEAD}")
[ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] ||
  echo "reproducible.sh: note: uncommitted changes are not tested, only $rev" >&2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/trl-repro.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
one=$tmp/one two=$tmp/second-run/checkout

clone() { git clone -q --no-checkout "$repo" "$1" && git -C "$1" checkout -q --detach "$rev"; }
run() { # run DIR: make dist there, timed
  local start=$SECONDS
  (cd "$1" && make --no-print-directory dist >"$1.log" 2>&1) || { tail -n 30 "$1.log" >&2; exit 1; }
  echo "make dist in $1: $((SECONDS - start)) s"
}

clone "$one"
TZ=UTC run "$one"
sleep 3
(
  umask 077
  clone "$two"
  export TZ=Asia/Tokyo
  [ -n "${TRL_REPRO_SHARED_CACHE:-}" ] || export GOCACHE=$tmp/gocache
  run "$two"
)

status=0
# SHA256SUMS last: the first artifact that differs is the one to show.
list() { (cd "$1" && find . -type f -printf '%P\n' | LC_ALL=C sort | grep -vx SHA256SUMS; echo SHA256SUMS); }
list "$one/dist" >"$tmp/one.list"
list "$two/dist" >"$tmp/two.list"
if ! diff -u "$tmp/one.list" "$tmp/two.list"; then
  echo "FAIL test-reproducible: the two dist/ trees hold other files" >&2
  exit 1
fi
while read -r f; do
  if ! cmp -s "$one/dist/$f" "$two/dist/$f"; then
    echo "FAIL test-reproducible: $f differs: $(cmp "$one/dist/$f" "$two/dist/$f" 2>&1 || true)" >&2
    [ $status = 1 ] || python3 "$repo/tests/dist/diff.py" "$one/dist/$f" "$two/dist/$f" >&2 || true
    status=1
  fi
done <"$tmp/one.list"
[ $status = 0 ] || exit 1
echo "test-reproducible: $(wc -l <"$tmp/one.list") artifacts of $rev are the same bytes in both runs:"
(cd "$one/dist" && sha256sum -- *)
