#!/usr/bin/env bash
# test_proxy_defaults.sh BUILD : the defaults users get on Windows, under
# $WINE (WINEPREFIX set; run through tests/proxy/pinned-dns.sh): a config
# without "proxy" ("system", the Windows default) and this Wine user's proxy
# settings written with `reg add` as Internet Options stores them, naming a
# real squid (tests/proxy/squid.sh). The sandbox is reached as
# ogn./api.teleradyoloji.test, names only squid resolves.
# teleradyoloji.exe doctor must pass every step and name the proxy and why;
# 5 clicks through the DLL (proxy_click.exe) must go through squid.
set -uo pipefail
build=$(realpath "$1")
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$build/wine-proxy
work=$(mktemp -d)
connections='HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections'
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

mkdir -p "$dir"
"$build/teleradyoloji-sandbox" --port 0 --tls-ca "$work/sandbox-ca.pem" \
  --tls-name ogn.teleradyoloji.test --tls-name api.teleradyoloji.test >"$work/sandbox.out" &
sandbox_pid=$!
trap '"$WINE" reg delete "$connections" /v DefaultConnectionSettings /f >/dev/null 2>&1
  "$here/tests/proxy/squid.sh" stop "$dir/squid"; kill $sandbox_pid 2>/dev/null; wait $sandbox_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 200); do [ -s "$work/sandbox.out" ] && break; sleep 0.05; done
base=$(head -n1 "$work/sandbox.out"); port=${base##*:}
"$here/tests/proxy/squid.sh" start "$dir/squid" "$work/sandbox-ca.pem" || exit 1
. "$dir/squid/env"
log=$dir/squid/access.log
proxy=127.0.0.1:$OPEN_PORT

# Internet Options' "use a proxy server" (flags 1 direct | 2 proxy), bypass <local>.
hex=$(python3 - "$proxy" <<'PY'
import struct, sys
b = struct.pack("<III", 0x46, 1, 1 | 2)
for s in (sys.argv[1].encode(), b"<local>", b""):
    b += struct.pack("<I", len(s)) + s
print((b + bytes(32)).hex())
PY
)
"$WINE" reg add "$connections" /v DefaultConnectionSettings /t REG_BINARY /d "$hex" /f >/dev/null || { echo "reg add failed"; exit 1; }

cp "$build/windows-amd64/teleradyoloji.exe" "$build/windows-amd64/proxy_click.exe" \
  "$build/windows-amd64/teleradyoloji.dll" "$build/windows-amd64/teleradyoloji-core.dll" "$work/"
cd "$work"
hosts="\"ogn_url\":\"https://ogn.teleradyoloji.test:$port\",\"api_url\":\"https://api.teleradyoloji.test:$port/integrationapi\",\"viewer_url\":\"https://api.teleradyoloji.test:$port/viewer/\",\"ca_file\":\"sandbox-ca.pem\""
cfg="{\"institution_code\":\"1234567\",\"application_code\":\"SANDBOX-HIS\",$hosts}" # no "proxy": "system"

echo "-- teleradyoloji.exe doctor, default settings, proxy from this user's Windows settings"
before=$(wc -l <"$log")
out=$(TELERADYOLOJI_PASSWORD='Gizli-Parola-2026!' timeout 300 "$WINE" ./teleradyoloji.exe doctor --lang en --json <<<"$cfg" 2>&1); rc=$?
steps=$(python3 -c 'import json,sys
for s in json.loads(sys.stdin.read().strip().splitlines()[-1])["steps"]:
    print("    ", "ok  " if s["ok"] else "skip" if s.get("skipped") else "FAIL", s["step"], s.get("target", ""), s["message"])' <<<"$out" 2>/dev/null)
echo "$steps"
[ "$rc" = 0 ] && grep -q '"ok":true' <<<"$out" && ok "every step passes" || { bad "doctor (exit $rc)"; [ -n "$steps" ] || echo "$out" | head -20; }
grep -q "proxy system (this user's Windows proxy settings)" <<<"$out" && ok "the settings line says system" || bad "settings line"
n=$(grep -o "is reached through the proxy http://$proxy (\\\\\"system\\\\\": the proxy server of this user's Windows proxy settings" <<<"$out" | wc -l)
[ "$n" = 3 ] && ok "each host: through the proxy $proxy, from the Windows settings" || bad "proxy named for $n hosts of 3"
grep -q 'cannot be resolved' <<<"$out" && bad "a name was looked up"
since=$(tail -n +"$((before + 1))" "$log")
grep -q "CONNECT ogn.teleradyoloji.test:$port " <<<"$since" && grep -q "CONNECT api.teleradyoloji.test:$port " <<<"$since" \
  && ok "squid tunnelled the doctor to both hosts" || bad "squid saw no CONNECT from the doctor"
grep -q 'Gizli-Parola-2026!' <<<"$out" && bad "the password in the report"

echo "-- 5 clicks through teleradyoloji.dll, default settings"
before=$(wc -l <"$log")
out=$(timeout 300 "$WINE" ./proxy_click.exe 5 <<<"${cfg%\}},\"password\":\"Gizli-Parola-2026!\"}" 2>&1); rc=$?
echo "$out" | sed 's/^/     /'
[ "$rc" = 0 ] && [ "$(grep -c ': ok' <<<"$out")" = 5 ] && ok "5 clicks" || bad "clicks (exit $rc)"
curl -s -o /dev/null --noproxy '' -x "http://$proxy" http://sync.invalid/ # logged after the tunnels' close
for _ in $(seq 1 100); do grep -q sync.invalid "$log" && break; sleep 0.05; done
since=$(tail -n +"$((before + 1))" "$log")
n_ogn=$(grep -c "CONNECT ogn.teleradyoloji.test:$port " <<<"$since"); n_api=$(grep -c "CONNECT api.teleradyoloji.test:$port " <<<"$since")
echo "     squid: $n_ogn CONNECT to OGN, $n_api to the API for 5 clicks"
[ "$n_ogn" -ge 1 ] && [ "$n_api" -ge 1 ] && ok "the clicks went through the proxy of the Windows settings" || bad "the clicks did not go through squid"
grep -qE 'Gizli-Parola-2026!|otac=' <<<"$out" && bad "a secret in the output"
[ $fail = 0 ] && echo "test_proxy_defaults: all passed"
exit $fail
