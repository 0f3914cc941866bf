#!/usr/bin/env bash
# sign.sh DLL... : Authenticode-signs each DLL in place with osslsigncode.
#   CERT=cert.pem KEY=key.pem [KEYPASS=...]    PEM certificate (chain) and key
#   PFX=bundle.pfx [PASS=...]                  or a PKCS#12 bundle
#   TIMESTAMP_URL=...                           optional RFC 3161 time-stamping server
set -euo pipefail
if [ -n "${PFX:-}" ]; then
  creds=(-pkcs12 "$PFX")
  [ -n "${PASS:-}" ] && creds+=(-pass "$PASS")
elif [ -n "${CERT:-}" ] && [ -n "${KEY:-}" ]; then
  creds=(-certs "$CERT" -key "$KEY")
  [ -n "${KEYPASS:-}" ] && creds+=(-pass "$KEYPASS")
else
  echo "usage: make sign CERT=cert.pem KEY=key.pem   or   make sign PFX=bundle.pfx [PASS=...]" >&2
  exit 2
fi
ts=()
[ -n "${TIMESTAMP_URL:-}" ] && ts=(-ts "$TIMESTAMP_URL")
for dll in "$@"; do
  osslsigncode sign "${creds[@]}" "${ts[@]}" -h sha256 -n "teleradyoloji" \
    -i "https://teleradyoloji.saglik.gov.tr/" -in "$dll" -out "$dll.signed" >/dev/null
  mv "$dll.signed" "$dll"
  echo "signed $dll"
done
