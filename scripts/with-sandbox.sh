#!/usr/bin/env bash
# with-sandbox.sh [OPTION...] CMD [ARGS...] : starts build/teleradyoloji-sandbox
# on a free loopback port, exports TRL_SANDBOX_URL (its base URL), runs CMD,
# stops the sandbox and exits with CMD's status. Options:
#   --as VAR                               export the URL as VAR instead
#   --password P, --application-code A     the credentials the sandbox accepts
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
sandbox=${TRL_SANDBOX_BIN:-$here/build/teleradyoloji-sandbox}
var=TRL_SANDBOX_URL
args=()
while :; do
  case ${1:-} in
  --as) var=$2; shift 2 ;;
  --password | --application-code) args+=("$1" "$2"); shift 2 ;;
  *) break ;;
  esac
done
out=$(mktemp)
"$sandbox" --port 0 "${args[@]}" >"$out" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 1 200); do
  [ -s "$out" ] && break
  kill -0 $pid 2>/dev/null || { echo "with-sandbox: sandbox exited" >&2; exit 1; }
  sleep 0.05
done
url=$(head -n1 "$out")
[ -n "$url" ] || { echo "with-sandbox: sandbox printed no URL" >&2; exit 1; }
export "$var=$url"
set +e
"$@"
rc=$?
exit $rc
