package core

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"time"
)

// warmVerifier starts Windows' certificate verifier off the click path:
// with the system roots Go verifies through CryptoAPI first, and the first
// verification in a process costs about 250 ms (measured under Wine; real
// Windows also loads crypt32's stores then). A throwaway self-signed
// certificate, verified once in the background, pays it at trl_client_new.
func warmVerifier(roots *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "teleradyoloji warm-up"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return
	}
	if cert, err := x509.ParseCertificate(der); err == nil {
		_, _ = cert.Verify(x509.VerifyOptions{Roots: roots}) // fails: only the start-up matters
	}
}
