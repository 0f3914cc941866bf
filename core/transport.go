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
	roots, err := x509.SystemCertPool() // on Windows: the system certificate store
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
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots}
	dial, err := tcpDialer(cfg.Proxy)
	if err != nil {
		return nil, err
	}
	return &fasthttp.Client{
		Name:                      cfg.UserAgent,
		NoDefaultUserAgentHeader:  cfg.UserAgent == "",
		TLSConfig:                 tlsConfig,
		ReadTimeout:               cfg.Timeout,
		WriteTimeout:              cfg.Timeout,
		MaxIdleConnDuration:       30 * time.Second,
		MaxConnWaitTimeout:        cfg.Timeout,
		MaxResponseBodySize:       cfg.MaxResponseBytes,
		ReadBufferSize:            16 << 10,
		MaxIdemponentCallAttempts: 1, // retries are ours: see send.go
		DisablePathNormalizing:    true,
		ConfigureClient: func(hc *fasthttp.HostClient) error {
			hc.SecureErrorLogMessage = true
			// Dial and TLS handshake both within the time left for the call
			// (fasthttp would give the handshake a whole WriteTimeout).
			hc.Dial, hc.DialTimeout = nil, dial
			if hc.IsTLS {
				hc.DialTimeout = tlsDialer(dial, tlsConfig)
			}
			return nil
		},
	}, nil
}

// dialFunc dials addr within timeout, the time left for the call.
type dialFunc = func(addr string, timeout time.Duration) (net.Conn, error)

// tcpDialer dials directly or through the configured proxy. Loopback
// addresses are never proxied, as with Go's net/http: the sandbox's password
// must not travel in clear text to a proxy.
func tcpDialer(proxy string) (dialFunc, error) {
	if proxy == "" {
		return dialTimeout, nil
	}
	var conf httpproxy.Config
	if proxy == "env" {
		conf = *httpproxy.FromEnvironment()
	} else {
		conf.HTTPProxy, conf.HTTPSProxy = proxy, proxy
	}
	if conf.NoProxy == "" {
		// A non-empty NO_PROXY makes fasthttpproxy decide per address, where
		// the loopback rule applies.
		conf.NoProxy = "localhost"
	}
	proxied := func(timeout time.Duration) (fasthttp.DialFunc, error) {
		d := fasthttpproxy.Dialer{Config: conf, Timeout: timeout, ConnectTimeout: timeout}
		return d.GetDialFunc(false)
	}
	if _, err := proxied(time.Second); err != nil {
		return nil, errorf(ConfigError, "config: \"proxy\" is not usable")
	}
	return func(addr string, timeout time.Duration) (net.Conn, error) {
		dial, err := proxied(timeout)
		if err != nil {
			return nil, err
		}
		return dial(addr)
	}, nil
}

// tlsDialer dials and completes the TLS handshake within one timeout.
func tlsDialer(dial dialFunc, base *tls.Config) dialFunc {
	return func(addr string, timeout time.Duration) (net.Conn, error) {
		deadline := time.Now().Add(timeout)
		raw, err := dial(addr, timeout)
		if err != nil {
			return nil, err
		}
		cfg := base.Clone()
		if host, _, err := net.SplitHostPort(addr); err == nil {
			cfg.ServerName = host
		}
		conn := tls.Client(raw, cfg)
		if err := conn.SetDeadline(deadline); err != nil {
			raw.Close()
			return nil, err
		}
		if err := conn.Handshake(); err != nil {
			raw.Close()
			return nil, err
		}
		if err := conn.SetDeadline(time.Time{}); err != nil {
			raw.Close()
			return nil, err
		}
		return conn, nil
	}
}

// transportError classifies an error of fasthttp as TIMEOUT, PROTOCOL or
// NETWORK, with a message that names what failed but never carries raw
// bytes or secrets.
func transportError(what string, err error, deadline time.Time, secrets []string) *Error {
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
	return &Error{Status: NetworkError, Message: fmt.Sprintf("%s: %s", what, networkReason(err, secrets)), Retryable: true}
}

func tlsReason(err error) string {
	var hostErr x509.HostnameError
	if errors.As(err, &hostErr) {
		return "name mismatch"
	}
	return "unknown authority or invalid certificate"
}

// networkReason names a network failure in a few secret-free words.
func networkReason(err error, secrets []string) string {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return "host name not found"
	case errors.Is(err, fasthttp.ErrConnectionClosed), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by the server"
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return "cannot connect (" + redact(opErr.Err.Error(), 60, secrets...) + ")"
	case errors.As(err, &opErr):
		return "connection failed during " + opErr.Op
	}
	return "connection failed (" + redact(err.Error(), 80, secrets...) + ")"
}
