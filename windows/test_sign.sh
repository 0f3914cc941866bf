#!/usr/bin/env bash
# test_sign.sh DLL... : signs copies of the DLLs with a throwaway self-signed
# code-signing certificate through sign.sh, and verifies the signatures.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=teleradyoloji test signer" \
  -addext "extendedKeyUsage=codeSigning" -addext "keyUsage=digitalSignature" \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
i=0
for dll in "$@"; do
  i=$((i + 1))
  mkdir -p "$tmp/$i"
  cp "$dll" "$tmp/$i/teleradyoloji.dll"
  if osslsigncode verify -CAfile "$tmp/cert.pem" -in "$tmp/$i/teleradyoloji.dll" >/dev/null 2>&1; then
    echo "an unsigned DLL passed verification: $dll" >&2; exit 1
  fi
  CERT="$tmp/cert.pem" KEY="$tmp/key.pem" "$here/sign.sh" "$tmp/$i/teleradyoloji.dll" >/dev/null
  out=$(osslsigncode verify -CAfile "$tmp/cert.pem" -in "$tmp/$i/teleradyoloji.dll" 2>&1) || {
    echo "$out" >&2; echo "signature of $dll does not verify" >&2; exit 1; }
  echo "$out" | grep -q "Signature verification: ok" || { echo "$out" >&2; exit 1; }
  echo "$dll: signed with a test certificate and verified"
done
