package core

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpproxy"
	"golang.org/x/net/http/httpproxy"
)

// newHTTPClient builds the one fasthttp.Client of a trl client: TLS 1.2+ with
// verification always on, no redirects, capped bodies, every timeout set.
func newHTTPClient(cfg *Config) (*fasthttp.Client, error) {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, errorf(ConfigError, "config: \"ca_file\" cannot be read")
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, errorf(ConfigError, "config: \"ca_file\" holds no PEM certificate")
		}
	}
	c := &fasthttp.Client{
		Name:                      cfg.UserAgent,
		NoDefaultUserAgentHeader:  cfg.UserAgent == "",
		TLSConfig:                 &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots},
		ReadTimeout:               cfg.Timeout,
		WriteTimeout:              cfg.Timeout, // also bounds dial + TLS handshake
		MaxIdleConnDuration:       30 * time.Second,
		MaxConnWaitTimeout:        cfg.Timeout,
		MaxResponseBodySize:       cfg.MaxResponseBytes,
		ReadBufferSize:            16 << 10,
		MaxIdemponentCallAttempts: 1, // retries are ours: see retry.go
		DisablePathNormalizing:    true,
		ConfigureClient: func(hc *fasthttp.HostClient) error {
			hc.SecureErrorLogMessage = true
			return nil
		},
	}
	if cfg.Proxy == "" {
		c.DialTimeout = dialTimeout
		return c, nil
	}
	// With a proxy dialer, DialTimeout stays nil: the dialer bounds itself.
	d := fasthttpproxy.Dialer{Timeout: cfg.Timeout, ConnectTimeout: cfg.Timeout}
	if cfg.Proxy == "env" {
		d.Config = *httpproxy.FromEnvironment()
		if d.NoProxy == "" {
			// A non-empty NO_PROXY makes fasthttpproxy decide per address,
			// so loopback is never proxied (as in Go's net/http).
			d.NoProxy = "localhost"
		}
	} else {
		d.HTTPProxy, d.HTTPSProxy = cfg.Proxy, cfg.Proxy
	}
	dial, err := d.GetDialFunc(false)
	if err != nil {
		return nil, errorf(ConfigError, "config: \"proxy\" is not usable")
	}
	c.Dial = dial
	return c, nil
}

// transportError classifies an error of fasthttp as TIMEOUT, PROTOCOL or
// NETWORK, with a message that names what failed but never carries raw
// bytes or secrets.
func transportError(what string, err error, deadline time.Time) *Error {
	var netErr net.Error
	switch {
	case errors.Is(err, fasthttp.ErrTimeout), errors.Is(err, fasthttp.ErrDialTimeout),
		errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout(),
		!time.Now().Before(deadline):
		return &Error{Status: Timeout, Message: what + ": timed out", Retryable: true}
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		return &Error{Status: ProtocolError, Message: what + ": response body larger than max_response_bytes"}
	}
	var tlsErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.As(err, &tlsErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr):
		return &Error{Status: NetworkError, Message: what + ": TLS certificate not trusted (" + tlsReason(err) + ")"}
	case errors.As(err, &recErr):
		return &Error{Status: NetworkError, Message: what + ": TLS handshake failed (is the server speaking plain HTTP?)", Retryable: false}
	}
	return &Error{Status: NetworkError, Message: fmt.Sprintf("%s: %s", what, networkReason(err)), Retryable: true}
}

func tlsReason(err error) string {
	var hostErr x509.HostnameError
	if errors.As(err, &hostErr) {
		return "name mismatch"
	}
	return "unknown authority or invalid certificate"
}

// networkReason names a network failure in a few secret-free words.
func networkReason(err error) string {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return "host name not found"
	case errors.Is(err, fasthttp.ErrConnectionClosed), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by the server"
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return "cannot connect (" + redact(opErr.Err.Error(), 60) + ")"
	case errors.As(err, &opErr):
		return "connection failed during " + opErr.Op
	}
	return "connection failed (" + redact(err.Error(), 80) + ")"
}
