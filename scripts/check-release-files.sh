#!/bin/sh
# The release files exist and NOTICE names every module linked into the library.
set -eu
cd "$(dirname "$0")/.."
fail=0
for f in LICENSE NOTICE CHANGELOG.md SECURITY.md LICENSES/go.txt LICENSES/mingw-w64.txt; do
	[ -s "$f" ] || { echo "missing: $f"; fail=1; }
done
grep -q "Apache License" LICENSE || { echo "LICENSE is not Apache-2.0"; fail=1; }
self=$(go list -m)
for m in $(go list -deps -f '{{with .Module}}{{.Path}}{{end}}' ./export | sort -u); do
	[ "$m" = "$self" ] && continue
	grep -q "^$m " NOTICE || { echo "NOTICE does not name $m"; fail=1; }
	[ -s "LICENSES/$(echo "$m" | tr / _).txt" ] || { echo "no license text for $m"; fail=1; }
done
[ $fail = 0 ] && echo "release files: ok"
exit $fail
