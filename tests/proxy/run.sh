#!/usr/bin/env bash
# run.sh BUILD : the library and the doctor behind a real squid (squid.sh):
# the sandbox on 127.0.0.1 reached only as ogn./api.teleradyoloji.test,
# names only squid resolves (the client never looks them up).
#   (a) Basic auth, right password: the doctor passes; 5 clicks through the
#       library (tests/proxy/click.c) open their studies with 1 CONNECT per host
#   (b) a wrong password: a clear proxy-credential error in both languages,
#       not retryable, at most one 407 per click (squid's access.log)
#   (c) ssl_bump: the doctor names TLS inspection, the issuer and squid (Via)
# No secret (proxy password, e-Nabız password, OTAC) in anything printed.
set -uo pipefail
build=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
dir=$build/proxy
out=$build/proxy-output.txt # everything printed, checked for secrets at the end
: >"$out"
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

sandbox_out=$(mktemp)
"$build/teleradyoloji-sandbox" --port 0 --tls-ca "$build/proxy-sandbox-ca.pem" \
  --tls-name ogn.teleradyoloji.test --tls-name api.teleradyoloji.test >"$sandbox_out" &
sandbox_pid=$!
trap '"$here/squid.sh" stop "$dir"; kill $sandbox_pid 2>/dev/null; wait $sandbox_pid 2>/dev/null; rm -f "$sandbox_out"' EXIT
for _ in $(seq 1 200); do [ -s "$sandbox_out" ] && break; sleep 0.05; done
base=$(head -n1 "$sandbox_out"); port=${base##*:}
"$here/squid.sh" start "$dir" "$build/proxy-sandbox-ca.pem" || exit 1
. "$dir/env"
log=$dir/access.log
ogn=ogn.teleradyoloji.test:$port api=api.teleradyoloji.test:$port
stats() { curl -s --noproxy '*' --cacert "$dir/sandbox-ca.pem" "https://localhost:$port/_sandbox/stats"; }
# sync: squid logs a tunnel when it closes; a denied request logged after
# the client's exit means squid has seen its connections close.
sync_log() {
  curl -s -o /dev/null --noproxy '' -x "http://127.0.0.1:$AUTH_PORT" "http://sync-$1.invalid/"
  for _ in $(seq 1 100); do grep -q "sync-$1.invalid" "$log" && break; sleep 0.05; done
}
since() { tail -n +"$(( $1 + 1 ))" "$log"; }
lines() { wc -l <"$log"; }
config() { # config PROXY [EXTRA]
  printf '{"institution_code":"1234567","password":"Gizli-Parola-2026!","application_code":"SANDBOX-HIS",'
  printf '"ogn_url":"https://%s","api_url":"https://%s/integrationapi","viewer_url":"https://%s/viewer/",' "$ogn" "$api" "$api"
  printf '"ca_file":"%s","proxy":"%s"%s}' "$dir/sandbox-ca.pem" "$1" "${2:-}"
}
doctor() { # doctor CONFIG ARGS... : the Linux CLI, output kept
  local o rc
  o=$("$build/teleradyoloji" doctor "${@:2}" <<<"$1" 2>&1); rc=$?
  echo "$o" >>"$out"
  printf '%s\n' "$rc" "$o"
}
click() { # click CONFIG N
  "$build/tests/proxy_click" "$2" "$dir/urls" <<<"$1" 2>&1 | tee -a "$out" >"$dir/click.out"
}

echo "-- (a) Basic auth, the right password"
right="http://hbys:$PROXY_PASSWORD_URL@127.0.0.1:$AUTH_PORT"
r=$(doctor "$(config "$right")" --json -v); rc=${r%%$'\n'*}; o=${r#*$'\n'}
if [ "$rc" = 0 ] && grep -q '"ok":true' <<<"$o" && grep -q "is reached through the proxy http://127.0.0.1:$AUTH_PORT" <<<"$o"; then
  ok "doctor passes through squid with Basic auth"; else bad "doctor through squid (exit $rc)"; echo "$o" | head -40; fi
r=$(doctor "$(config "$right")"); rc=${r%%$'\n'*}; o=${r#*$'\n'}
[ "$rc" = 0 ] && grep -q "Sonuç: bütün denetimler başarılı" <<<"$o" && ok "doctor passes, in Turkish" || { bad "doctor in Turkish (exit $rc)"; echo "$o"; }
sync_log a0; before=$(lines)
click "$(config "$right")" 5; rc=$?
sync_log a1
n_ogn=$(since "$before" | grep -c "CONNECT $ogn ")
n_api=$(since "$before" | grep -c "CONNECT $api ")
echo "     squid: $n_ogn CONNECT to $ogn, $n_api to $api for 5 clicks"
[ "$rc" = 0 ] && [ "$(grep -c ': ok$' "$dir/click.out")" = 5 ] && ok "5 clicks through squid" || { bad "clicks (exit $rc)"; cat "$dir/click.out"; }
[ "$n_ogn" = 1 ] && [ "$n_api" = 1 ] && ok "1 CONNECT per host for 5 clicks" || bad "CONNECTs: $n_ogn to OGN, $n_api to the API"
opened=0
while read -r url; do
  # the browser's part, through the same proxy: the study opens once
  body=$(curl -s --noproxy '' -x "$right" --cacert "$dir/sandbox-ca.pem" "https://$api/viewer/api/open?otac=${url##*otac=}")
  grep -q '"ok":true' <<<"$body" && opened=$((opened + 1))
done <"$dir/urls"
rm -f "$dir/urls"
[ "$opened" = 5 ] && stats | grep -q '"viewer_opens":5' && ok "5 studies open" || bad "studies opened: $opened"

echo "-- (b) Basic auth, a wrong password"
wrong="http://hbys:$WRONG_PASSWORD_URL@127.0.0.1:$AUTH_PORT"
sync_log b0; before=$(lines)
r=$(doctor "$(config "$wrong")" --lang en); rc=${r%%$'\n'*}; o=${r#*$'\n'}
[ "$rc" = 1 ] && grep -q "refused the user name or password" <<<"$o" && grep -q "lock the account" <<<"$o" \
  && ok "doctor: the proxy refused the login, in English" || { bad "doctor with a wrong proxy password (exit $rc)"; echo "$o"; }
r=$(doctor "$(config "$wrong")"); rc=${r%%$'\n'*}; o=${r#*$'\n'}
[ "$rc" = 1 ] && grep -q "kullanıcı adını veya şifreyi kabul etmedi" <<<"$o" \
  && ok "doctor: the proxy refused the login, in Turkish" || { bad "doctor with a wrong proxy password, Turkish (exit $rc)"; echo "$o"; }
sync_log b1; mid=$(lines)
n407=$(since "$before" | head -n $((mid - before)) | grep -c 'TCP_DENIED/407')
echo "     squid: $n407 × 407 for two doctor runs (3 hosts each)"
[ "$n407" -le 2 ] && ok "the doctor asks a refused login once per run" || bad "$n407 × 407 for two doctor runs: more than one per run"
click "$(config "$wrong")" 5
sync_log b2
n407=$(since "$mid" | grep -c 'TCP_DENIED/407')
echo "     squid: $n407 × 407 for 5 clicks with a wrong password (want at most 5: never retried, never repeated by a parallel connect)"
errs=$(grep -c 'click [0-9]: error' "$dir/click.out")
[ "$errs" = 5 ] || bad "clicks with a wrong password: $errs errors of 5"
if grep 'click [0-9]: error' "$dir/click.out" | grep -v '"retryable":false' | grep -q .; then bad "a 407 is retryable"; cat "$dir/click.out"; else ok "a 407 is not retryable"; fi
if grep 'click [0-9]: error' "$dir/click.out" | grep -v 'user name or password' | grep -q . ||
   grep 'click [0-9]: error' "$dir/click.out" | grep -v 'kullanıcı adını veya şifreyi' | grep -q .; then
  bad "the error does not say the proxy refused the user name or password (both languages)"; head -2 "$dir/click.out"
else ok "the error says the proxy refused the user name or password, in both languages"; fi
[ "$n407" -le 5 ] && ok "at most one 407 per click ($n407 for 5)" || bad "$n407 × 407 for 5 clicks: more than one per click"

echo "-- (c) ssl_bump: a TLS-inspecting squid"
bump="http://127.0.0.1:$BUMP_PORT"
r=$(doctor "$(config "$bump")" --lang en --json); rc=${r%%$'\n'*}; o=${r#*$'\n'}
if [ "$rc" = 1 ] && grep -q 'probably TLS inspection' <<<"$o" && grep -q 'Hastane Vekil Sunucu Denetim CA' <<<"$o" && grep -q 'squid/5' <<<"$o"; then
  ok "doctor names TLS inspection, the issuer and squid (Via)"
  python3 -c 'import json,sys; print("     tls (OGN):", [s["message"] for s in json.load(sys.stdin)["steps"] if s["step"] == "tls"][0])' <<<"$o"; else bad "doctor behind ssl_bump (exit $rc)"; echo "$o" | head -30; fi
r=$(doctor "$(config "$bump" | sed "s|$dir/sandbox-ca.pem|$dir/bump-ca.pem|")" --lang en); rc=${r%%$'\n'*}; o=${r#*$'\n'}
if [ "$rc" = 0 ] && grep -q 'trusted only through "ca_file"' <<<"$o" && grep -q 'squid/5' <<<"$o"; then
  ok "doctor passes with the inspecting CA in ca_file, and names squid"; else bad "doctor behind ssl_bump with its CA (exit $rc)"; echo "$o" | head -30; fi

echo "-- secrets"
leaked=0
for s in "$PROXY_PASSWORD" "$PROXY_PASSWORD_URL" "$WRONG_PASSWORD" "$WRONG_PASSWORD_URL" 'Gizli-Parola-2026!' 'otac=' 'Bearer '; do
  grep -qF -- "$s" "$out" && { bad "a secret (${#s} chars) in the printed output"; leaked=1; }
done
[ $leaked = 0 ] && ok "no secret in the printed output ($(wc -l <"$out") lines)"
[ $fail = 0 ] && echo "test-proxy: all passed" || echo "test-proxy: FAILED"
exit $fail
