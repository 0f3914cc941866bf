#!/usr/bin/env bash
# valgrind.sh TEST : runs the C test under valgrind's memcheck (fewer
# iterations) and fails when the test fails or any memory is definitely lost.
# Memcheck's other reports come from the Go runtime switching goroutine
# stacks in memory it does not know (reads/writes "in a rw- anonymous
# segment"); they are not leaks and are not counted.
set -euo pipefail
# valgrind 3.19 cannot decode RDTSCP, which the Go runtime uses when the CPU
# offers it (seen on AMD EPYC): DESIGN.md pitfall 11.
export GODEBUG="${GODEBUG:+$GODEBUG,}cpu.rdtscp=off"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
TRL_TEST_QUICK=1 valgrind --leak-check=full --show-leak-kinds=definite \
  --undef-value-errors=no --log-file="$log" "$@" || rc=$?
grep -E "definitely lost|indirectly lost" "$log" || true
if [ $rc != 0 ]; then
  echo "valgrind: the test failed under valgrind (exit $rc)" >&2; exit $rc
fi
# The Go heap is not malloc's: any use of freed C memory is the C side's bug.
if grep -q "free'd" "$log"; then
  echo "valgrind: use of freed memory:" >&2
  grep -B3 -A12 "free'd" "$log" >&2 | head -60
  exit 1
fi
if ! grep -qE "definitely lost: 0 bytes in 0 blocks|All heap blocks were freed" "$log"; then
  echo "valgrind: definite leak:" >&2
  grep -A25 "definitely lost in" "$log" >&2 || true
  exit 1
fi
echo "valgrind: no definite leak"
