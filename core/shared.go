package core

import (
	"crypto/sha256"
	"crypto/tls"
	"net/url"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/teleradyoloji/teleradyoloji/core/internal/conn"
	"github.com/valyala/fasthttp"
	"golang.org/x/net/http/httpproxy"
)

// transportKey is every setting a client's fasthttp.Client and connection
// pool depend on. Clients in one process with equal keys share one
// transport: connections, TLS sessions, DNS cache, warm-ups. Hosts need no
// place here (the pool keeps each host apart), nor do credentials (a
// connection carries none: the token is a header, per client).
type transportKey struct {
	proxy            string
	proxyEnv         string            // what "env" read from the environment
	caFile           [sha256.Size]byte // ca_file's contents
	timeout, idle    time.Duration
	userAgent        string
	maxResponseBytes int
}

// transport is one shared fasthttp.Client and its pool, with the number of
// clients using it.
type transport struct {
	key       transportKey
	refs      int // guarded by transports.mu
	http      *fasthttp.Client
	conns     *conn.Pool
	tlsConfig func() *tls.Config
}

var transports = struct {
	mu sync.Mutex
	m  map[transportKey]*transport
}{m: map[transportKey]*transport{}}

// acquireTransport returns the transport for cfg, made on first use.
func acquireTransport(cfg *Config, caPEM []byte, proxy conn.ProxyChoice) *transport {
	env := proxyEnv(cfg.Proxy)
	k := transportKey{proxy: cfg.Proxy, proxyEnv: env.HTTPProxy + "\n" + env.HTTPSProxy + "\n" + env.NoProxy + "\n" + strconv.FormatBool(env.CGI), caFile: sha256.Sum256(caPEM), timeout: cfg.Timeout, idle: cfg.IdleTimeout,
		userAgent: cfg.UserAgent, maxResponseBytes: cfg.MaxResponseBytes}
	transports.mu.Lock()
	defer transports.mu.Unlock()
	if t := transports.m[k]; t != nil {
		t.refs++
		return t
	}
	t := &transport{key: k, refs: 1, tlsConfig: tlsConfigLoader(caPEM)}
	// The pool logs dial errors only; a proxy dialer may quote the proxy's
	// URL. The proxy is part of the key, so its password is every sharing
	// client's; the clients' own passwords never reach a dialer.
	secrets := append(proxySecrets(cfg.Proxy), append(proxySecrets(env.HTTPProxy), proxySecrets(env.HTTPSProxy)...)...)
	t.conns = conn.New(conn.Options{TLSConfig: t.tlsConfig, Proxy: proxy, IdleTimeout: cfg.IdleTimeout, Timeout: cfg.Timeout,
		Redact: func(s string) string { return maskSecrets(s, secrets...) }})
	t.http = newHTTPClient(cfg, t.conns)
	transports.m[k] = t
	return t
}

// release drops one client's use; the last one closes the pool (warm-ups,
// spares) and the idle connections. Calls in progress finish normally.
func (t *transport) release() {
	transports.mu.Lock()
	t.refs--
	last := t.refs == 0
	if last {
		delete(transports.m, t.key)
	}
	transports.mu.Unlock()
	if last {
		t.conns.Close()
		t.http.CloseIdleConnections()
	}
}

// proxyEnv is the environment's proxy settings where the "proxy" setting
// reads them once, at trl_client_new ("env"; "system" off Windows).
func proxyEnv(setting string) httpproxy.Config {
	if setting == "env" || setting == "system" && runtime.GOOS != "windows" {
		return *httpproxy.FromEnvironment()
	}
	return httpproxy.Config{}
}

// proxySecrets is the password in a proxy URL, as typed and form-encoded.
func proxySecrets(proxy string) []string {
	if u, err := url.Parse(proxy); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			return []string{p, url.QueryEscape(p)}
		}
	}
	return nil
}
