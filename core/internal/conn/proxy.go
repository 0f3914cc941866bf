package conn

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"runtime"
	"sync"
	"time"

	"github.com/teleradyoloji/teleradyoloji/core/internal/sysproxy"
	"github.com/valyala/fasthttp"
	"golang.org/x/net/http/httpproxy"
	"golang.org/x/net/proxy"
)

// ProxyChoice chooses the proxy for a connection to t: nil to connect
// directly.
type ProxyChoice func(t Target) (*url.URL, error)

// ProxyChooser is the "proxy" setting as a choice per connection: "" direct;
// "env" the environment (HTTPS_PROXY for https, HTTP_PROXY for http, and
// NO_PROXY, as Go's net/http reads them, once); "system" the user's Windows
// settings (sysproxy, read per connection), elsewhere the environment; any
// other value a proxy URL. Loopback is never proxied: the sandbox's
// password must not travel in clear text to a proxy.
func ProxyChooser(setting string) ProxyChoice {
	var system func(string) (string, error)
	if runtime.GOOS == "windows" {
		system = sysproxy.For
	}
	return proxyChooser(setting, system)
}

// proxyChooser is ProxyChooser; system, when not nil, answers "system".
func proxyChooser(setting string, system func(hostport string) (string, error)) ProxyChoice {
	switch {
	case setting == "":
		return func(Target) (*url.URL, error) { return nil, nil }
	case setting == "system" && system != nil:
		return func(t Target) (*url.URL, error) {
			p, err := system(t.Addr)
			if err != nil || p == "" {
				return nil, nil // settings that cannot be read: direct, as WinHTTP does
			}
			return &url.URL{Scheme: "http", Host: p}, nil
		}
	case setting == "env" || setting == "system":
		choose := httpproxy.FromEnvironment().ProxyFunc()
		return func(t Target) (*url.URL, error) {
			scheme := "http"
			if t.TLS {
				scheme = "https"
			}
			u, err := choose(&url.URL{Scheme: scheme, Host: t.Addr})
			if err != nil {
				return nil, errors.New("the proxy in the environment (HTTPS_PROXY, HTTP_PROXY) is not a URL")
			}
			return u, nil
		}
	}
	u, err := url.Parse(setting)
	return func(t Target) (*url.URL, error) {
		if err != nil {
			return nil, errors.New("the proxy is not a URL")
		}
		host, _, _ := net.SplitHostPort(t.Addr)
		if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
			return nil, nil
		}
		return u, nil
	}
}

// dialProxy connects to t through the proxy u (http:// CONNECT or socks5)
// by the deadline. The proxy's own addresses race as a host's do.
// An error is a dial error (*net.OpError, Op "dial"): nothing was sent to t.
func (p *Pool) dialProxy(u *url.URL, t Target, deadline time.Time) (net.Conn, error) {
	var c net.Conn
	var err error
	switch u.Scheme {
	case "http":
		c, err = p.connectTunnel(u, t, deadline)
	case "socks5", "socks5h":
		c, err = p.socksTunnel(u, t, deadline)
	default:
		err = fmt.Errorf("%s:// proxies are not supported", u.Scheme)
	}
	var opErr *net.OpError
	if err != nil && !(errors.As(err, &opErr) && opErr.Op == "dial") {
		err = &net.OpError{Op: "dial", Net: "tcp", Err: err}
	}
	return c, err
}

// proxyAddr is the proxy's host:port, the scheme's port when none is given.
func proxyAddr(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "80"
	if u.Scheme != "http" {
		port = "1080"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// ProxyAuthError: the proxy answered 407: it refused the user name and
// password of the proxy URL (or wants some). Never retried.
type ProxyAuthError struct {
	Proxy string // host:port, without credentials
}

func (e *ProxyAuthError) Error() string {
	return "the proxy " + e.Proxy + " refused the user name or password (HTTP 407)"
}

// IsProxyAuth reports whether err is a proxy's 407 (see ProxyAuthError).
func IsProxyAuth(err error) bool {
	var e *ProxyAuthError
	return errors.As(err, &e)
}

// ProxyRefusedError: the proxy answered CONNECT with another status.
type ProxyRefusedError struct {
	Proxy, Target string
	Status        int
}

func (e *ProxyRefusedError) Error() string {
	return fmt.Sprintf("the proxy %s refused to connect to %s (HTTP %d)", e.Proxy, e.Target, e.Status)
}

// connectTunnel opens an HTTP CONNECT tunnel to t; see proxyLogin for how
// a 407 is kept from repeating.
func (p *Pool) connectTunnel(u *url.URL, t Target, deadline time.Time) (net.Conn, error) {
	login := loginOf(u)
	gated, err := login.enter(proxyAddr(u), deadline)
	if err != nil {
		return nil, err
	}
	status := 0
	defer func() { login.leave(gated, status) }()
	raw, err := p.dialTCP(proxyAddr(u), deadline)
	if err != nil {
		return nil, err
	}
	status, err = connectRequest(raw, u, t.Addr, deadline)
	if err != nil {
		raw.Close()
		return nil, err
	}
	return raw, nil
}

// connectRequest asks the proxy on raw for a tunnel to addr; it returns
// the proxy's status, and an error unless it is 200.
func connectRequest(raw net.Conn, u *url.URL, addr string, deadline time.Time) (int, error) {
	_ = raw.SetDeadline(deadline)
	defer raw.SetDeadline(time.Time{})
	req := "CONNECT " + addr + " HTTP/1.1\r\nHost: " + addr + "\r\n"
	if u.User != nil {
		pass, _ := u.User.Password()
		req += "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass)) + "\r\n"
	}
	if _, err := raw.Write([]byte(req + "\r\n")); err != nil {
		return 0, err
	}
	br := bufio.NewReaderSize(raw, 4096)
	var h fasthttp.ResponseHeader
	h.SetNoDefaultContentType(true)
	if err := h.Read(br); err != nil {
		return 0, fmt.Errorf("the proxy %s gave no HTTP answer to CONNECT", proxyAddr(u))
	}
	switch status := h.StatusCode(); {
	case status == fasthttp.StatusProxyAuthRequired:
		return status, &ProxyAuthError{Proxy: proxyAddr(u)}
	case status != fasthttp.StatusOK:
		return status, &ProxyRefusedError{Proxy: proxyAddr(u), Target: addr, Status: status}
	case br.Buffered() > 0:
		return status, fmt.Errorf("the proxy %s sent data before the tunnel was used", proxyAddr(u))
	}
	return fasthttp.StatusOK, nil
}

// proxyLoginBackoff: after a 407, connections through that proxy with the
// same credentials fail at once for this long without asking it.
const proxyLoginBackoff = time.Minute

// proxyLogin is what is known of one proxy's answer to one set of
// credentials, for the whole process (a proxy that checks Active Directory
// locks the user's account after a few failed logins, whichever client
// sent them). Until the proxy has accepted them once, one CONNECT at a time
// goes out: the others (a prewarm, the API host connected during a token
// request) wait for its answer and fail with it if it is a 407.
type proxyLogin struct {
	gate    chan struct{} // held by the one CONNECT in flight while not yet accepted
	mu      sync.Mutex
	good    bool      // the proxy accepted these credentials
	refused time.Time // its last 407
}

var proxyLogins = struct {
	sync.Mutex
	m map[[32]byte]*proxyLogin
}{m: map[[32]byte]*proxyLogin{}}

// loginOf is the record of u's proxy and credentials; the key is a hash,
// so the map holds no password.
func loginOf(u *url.URL) *proxyLogin {
	key := sha256.Sum256([]byte(u.Scheme + "\x00" + u.User.String() + "\x00" + proxyAddr(u)))
	proxyLogins.Lock()
	defer proxyLogins.Unlock()
	l := proxyLogins.m[key]
	if l == nil {
		l = &proxyLogin{gate: make(chan struct{}, 1)}
		proxyLogins.m[key] = l
	}
	return l
}

// ProxyLoginRefused reports whether the proxy of u refused u's credentials
// (HTTP 407) less than a minute ago: a connection through it now would
// fail the same way and count as one more failed login.
func ProxyLoginRefused(u *url.URL) bool {
	_, err := loginOf(u).state()
	return err != nil
}

// NoteProxyAnswer records a proxy's answer to a CONNECT made elsewhere
// (the doctor's): a 407 makes the library's connections through it fail
// fast for a minute, a 200 lets them go in parallel.
func NoteProxyAnswer(u *url.URL, status int) { loginOf(u).leave(false, status) }

// state: good, or a ProxyAuthError within the back-off.
func (l *proxyLogin) state() (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.refused.IsZero() && time.Since(l.refused) < proxyLoginBackoff {
		return false, errRefusedLogin
	}
	return l.good, nil
}

var errRefusedLogin = errors.New("refused")

// enter lets a CONNECT go out: at once when the credentials are known good,
// after any CONNECT in flight otherwise; gated tells leave to let the next
// one go. After a recent 407 it fails at once.
func (l *proxyLogin) enter(proxy string, deadline time.Time) (gated bool, err error) {
	good, err := l.state()
	if err != nil {
		return false, &ProxyAuthError{Proxy: proxy}
	}
	if good {
		return false, nil
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	select {
	case l.gate <- struct{}{}:
	case <-ctx.Done():
		return false, &net.OpError{Op: "dial", Net: "tcp", Err: errWaitedForProxy}
	}
	if _, err := l.state(); err != nil { // the CONNECT before answered 407
		<-l.gate
		return false, &ProxyAuthError{Proxy: proxy}
	}
	return true, nil
}

var errWaitedForProxy = &timeoutError{"timed out waiting for the proxy's answer to another connection"}

type timeoutError struct{ s string }

func (e *timeoutError) Error() string { return e.s }
func (e *timeoutError) Timeout() bool { return true }

// leave records the proxy's status (0: no answer) and lets the next go.
func (l *proxyLogin) leave(gated bool, status int) {
	l.mu.Lock()
	switch status {
	case fasthttp.StatusOK:
		l.good, l.refused = true, time.Time{}
	case fasthttp.StatusProxyAuthRequired:
		l.good, l.refused = false, time.Now()
	}
	l.mu.Unlock()
	if gated {
		<-l.gate
	}
}

// socksTunnel opens a SOCKS5 tunnel to t. The connection returned is the
// TCP connection itself (a blocking socket on Linux), which the liveness
// check can look at.
func (p *Pool) socksTunnel(u *url.URL, t Target, deadline time.Time) (net.Conn, error) {
	var auth *proxy.Auth
	if u.User != nil {
		pass, _ := u.User.Password()
		auth = &proxy.Auth{User: u.User.Username(), Password: pass}
	}
	var raw net.Conn
	fwd := forwardDialer(func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := p.dialTCP(addr, deadline)
		raw = c
		return c, err
	})
	d, err := proxy.SOCKS5("tcp", proxyAddr(u), auth, fwd)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if _, err := d.(proxy.ContextDialer).DialContext(ctx, "tcp", t.Addr); err != nil {
		if raw != nil {
			raw.Close()
		}
		return nil, err
	}
	return raw, nil
}

type forwardDialer func(ctx context.Context, network, addr string) (net.Conn, error)

func (f forwardDialer) Dial(network, addr string) (net.Conn, error) {
	return f(context.Background(), network, addr)
}

func (f forwardDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return f(ctx, network, addr)
}

// dialRaw opens the TCP connection (or tunnel) to t; proxied tells that it
// goes through a proxy.
func (p *Pool) dialRaw(t Target, deadline time.Time) (c net.Conn, proxied bool, err error) {
	var u *url.URL
	if p.opts.Proxy != nil {
		if u, err = p.opts.Proxy(t); err != nil {
			return nil, false, err
		}
	}
	if u == nil {
		c, err = p.dialTCP(t.Addr, deadline)
		return c, false, err
	}
	c, err = p.dialProxy(u, t, deadline)
	return c, true, err
}
