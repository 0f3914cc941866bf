#!/usr/bin/env bash
# with-sandbox.sh CMD [ARGS...] : starts build/teleradyoloji-sandbox on a free
# loopback port, exports TRL_SANDBOX_URL (its base URL), runs CMD, stops the
# sandbox and exits with CMD's status.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
sandbox=${TRL_SANDBOX_BIN:-$here/build/teleradyoloji-sandbox}
out=$(mktemp)
"$sandbox" --port 0 >"$out" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 1 200); do
  [ -s "$out" ] && break
  kill -0 $pid 2>/dev/null || { echo "with-sandbox: sandbox exited" >&2; exit 1; }
  sleep 0.05
done
TRL_SANDBOX_URL=$(head -n1 "$out")
[ -n "$TRL_SANDBOX_URL" ] || { echo "with-sandbox: sandbox printed no URL" >&2; exit 1; }
export TRL_SANDBOX_URL
set +e
"$@"
rc=$?
exit $rc
