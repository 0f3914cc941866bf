#!/usr/bin/env bash
# valgrind.sh TEST : runs the C test under valgrind (fewer iterations) and
# fails on any definite leak. The Go runtime's own uninitialised-value noise
# is not ours to judge, so only leaks count.
set -euo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT
TRL_TEST_QUICK=1 valgrind --leak-check=full --show-leak-kinds=definite \
  --errors-for-leak-kinds=definite --undef-value-errors=no --error-exitcode=97 \
  --log-file="$log" "$@" || { rc=$?; grep -E "definitely lost|ERROR SUMMARY" "$log" >&2; tail -n 60 "$log" >&2; exit $rc; }
grep -E "definitely lost|ERROR SUMMARY" "$log"
if grep -qE "definitely lost: [1-9]" "$log"; then
  echo "valgrind: definite leak" >&2; exit 1
fi
