#!/usr/bin/env bash
# test_doctor.sh EXE : runs teleradyoloji.exe doctor under $WINE against the sandbox
# (TRL_SANDBOX_URL): alone in an empty folder (it needs no other file), the config on
# standard input and the password from the environment; Turkish and English reports,
# --json, and the exit status (0 passed, 1 a check failed).
set -euo pipefail
exe=$(realpath "$1")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$exe" "$dir/"
cd "$dir"
base=$TRL_SANDBOX_URL
cfg='{"institution_code":"1234567","application_code":"SANDBOX-HIS","ogn_url":"'$base'","api_url":"'$base'/integrationapi","viewer_url":"'$base'/viewer/"}'
fail=0
check() { # check NAME WANT_RC PATTERN OUTPUT RC
  if [ "$5" = "$2" ] && grep -q -- "$3" <<<"$4"; then echo "ok   teleradyoloji.exe doctor: $1"; else
    echo "FAIL teleradyoloji.exe doctor: $1 (exit $5)"; echo "$4" | head -30; fail=1; fi
}
set +e
out=$(TELERADYOLOJI_PASSWORD='Gizli-Parola-2026!' "$WINE" ./teleradyoloji.exe doctor <<<"$cfg" 2>&1); rc=$?
check "passes, in Turkish" 0 "Sonuç: bütün denetimler başarılı" "$out" $rc
out=$(TELERADYOLOJI_PASSWORD='Gizli-Parola-2026!' "$WINE" ./teleradyoloji.exe doctor --lang en --json <<<"$cfg" 2>&1); rc=$?
check "--json" 0 '"ok":true' "$out" $rc
if grep -q 'Gizli-Parola-2026!' <<<"$out"; then echo "FAIL teleradyoloji.exe doctor: the password in the report"; fail=1; fi
out=$(TELERADYOLOJI_PASSWORD='Yanlis-Parola-1' "$WINE" ./teleradyoloji.exe doctor --lang en <<<"$cfg" 2>&1); rc=$?
check "a wrong password fails, in English" 1 "\[FAIL\] OGN login (OGN)" "$out" $rc
[ $fail = 0 ]
