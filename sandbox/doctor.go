package sandbox

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// What the connection doctor (trl_diagnose, teleradyoloji doctor) must
// recognise, served on loopback: the Ministry's firewall refusing an
// unregistered IP (BlockIP: 403 with an HTML page; ResetServer: connections
// reset), a TLS-inspecting gateway (a TLS server whose issuer the client does
// not trust), a wrong clock (DateSkewS), a closed port, a firewall that
// drops packets (Blackhole), and proxies that refuse or want a password.

// httpDate is the Date header's format (RFC 7231, always GMT).
const httpDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// ipNotAllowed answers as a government firewall does for an address it does
// not know: 403 and an HTML page.
func ipNotAllowed(ctx *fasthttp.RequestCtx) {
	ctx.SetStatusCode(fasthttp.StatusForbidden)
	ctx.SetContentType("text/html; charset=utf-8")
	ctx.SetBodyString("<!DOCTYPE html><html><head><title>403 Forbidden</title></head><body>" +
		"<h1>403 Forbidden</h1><p>Erişim engellendi: IP adresiniz bu hizmet için tanımlı değil.</p>" +
		"<p>Access denied: your IP address is not allowed to use this service.</p></body></html>")
}

// skewDate sends the answer ctx holds with a Date header off by skew.
// fasthttp writes Date itself (a header set by hand is ignored), so the
// answer is written raw on the hijacked connection, which then closes.
func skewDate(ctx *fasthttp.RequestCtx, skew time.Duration) {
	if ctx.Hijacked() || ctx.Response.IsBodyStream() {
		return
	}
	ctx.SetConnectionClose()
	var buf bytes.Buffer
	if _, err := ctx.Response.WriteTo(&buf); err != nil {
		return
	}
	head, body, _ := bytes.Cut(buf.Bytes(), []byte("\r\n\r\n"))
	var out bytes.Buffer
	for i, line := range bytes.Split(head, []byte("\r\n")) {
		if i > 0 && bytes.HasPrefix(bytes.ToLower(line), []byte("date:")) {
			continue
		}
		out.Write(line)
		out.WriteString("\r\n")
		if i == 0 {
			out.WriteString("Date: " + time.Now().Add(skew).UTC().Format(httpDate) + "\r\n")
		}
	}
	out.WriteString("\r\n")
	out.Write(body)
	raw := out.Bytes()
	ctx.HijackSetNoResponse(true)
	ctx.Hijack(func(c net.Conn) { _, _ = c.Write(raw) })
}

// RefusedAddr is a loopback address where nothing listens: a connection is
// refused at once.
func RefusedAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr, nil
}

// ResetServer accepts connections and resets each (SO_LINGER 0) as soon as
// the client sends its first bytes (a TLS ClientHello), as a firewall that
// drops an unregistered address's sessions during the TLS handshake.
func ResetServer() (addr string, stop io.Closer, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				// Reset on the client's first bytes (its TLS ClientHello), so
				// that the reset always falls in the handshake, never in the
				// TCP connect (where a client's connect interrupted by a
				// signal could see it first).
				_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
				var b [1]byte
				_, _ = c.Read(b[:])
				if tc, ok := c.(*net.TCPConn); ok {
					_ = tc.SetLinger(0)
				}
				c.Close()
			}()
		}
	}()
	return ln.Addr().String(), ln, nil
}

// UnknownIssuerServer serves HTTPS with a certificate from a CA no client
// trusts (named like a TLS-inspecting gateway's): what a client sees behind
// a gateway that inspects TLS.
func UnknownIssuerServer() (addr string, stop io.Closer, err error) {
	cert, _, err := newTestCertificateFrom("Hastane Güvenlik Duvarı SSL Denetim CA", nil)
	if err != nil {
		return "", nil, err
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		return "", nil, err
	}
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) { ctx.SetBodyString("inspected") },
		Logger: log.New(io.Discard, "", 0)}
	go func() { _ = srv.Serve(ln) }()
	return ln.Addr().String(), closerFunc(func() error { return srv.Shutdown() }), nil
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// ProxyOptions configure a fake HTTP CONNECT proxy.
type ProxyOptions struct {
	// Mode: "tunnel" connects every CONNECT to Target, whatever host it
	// names; "refuse" answers 403; "auth" wants User:Password (407 without).
	Mode           string
	Target         string
	User, Password string
}

// Proxy is a running fake proxy.
type Proxy struct {
	ln       net.Listener
	opts     ProxyOptions
	mu       sync.Mutex
	connects []string // the host:port of every CONNECT received
}

// StartProxy serves a fake HTTP CONNECT proxy on loopback.
func StartProxy(opts ProxyOptions) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, opts: opts}
	go p.serve()
	return p, nil
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Connects lists the targets of the CONNECT requests received.
func (p *Proxy) Connects() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.connects...)
}

// Close stops the proxy.
func (p *Proxy) Close() error { return p.ln.Close() }

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

func (p *Proxy) handle(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil {
		return
	}
	var auth string
	for {
		h, err := br.ReadString('\n')
		if err != nil {
			return
		}
		if h = strings.TrimSpace(h); h == "" {
			break
		}
		if k, v, ok := strings.Cut(h, ":"); ok && strings.EqualFold(k, "Proxy-Authorization") {
			auth = strings.TrimSpace(v)
		}
	}
	f := strings.Fields(line)
	if len(f) < 2 || f[0] != "CONNECT" {
		io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
		return
	}
	p.mu.Lock()
	p.connects = append(p.connects, f[1])
	p.mu.Unlock()
	switch p.opts.Mode {
	case "refuse":
		body := "<html><body><h1>Access Denied</h1><p>The requested site is blocked by the proxy policy.</p></body></html>"
		fmt.Fprintf(c, "HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		return
	case "auth":
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(p.opts.User+":"+p.opts.Password))
		if auth != want {
			io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"proxy\"\r\nContent-Length: 0\r\n\r\n")
			return
		}
	}
	if p.opts.Target == "" {
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	up, err := net.Dial("tcp", p.opts.Target)
	if err != nil {
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	defer up.Close()
	io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
	go func() {
		_, _ = io.Copy(up, br)
		if tc, ok := up.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
	}()
	_, _ = io.Copy(c, up)
}

// faultServerControl is POST /_sandbox/fault_server {"kind":...}: it starts
// a server for one of the doctor's cases and answers {"url":...}, a base URL
// to give the client as ogn_url (or api_url); a reset closes them.
// Kinds: "blackhole" (connections never answered), "refused" (nothing
// listens), "reset" (connections reset), "tls_unknown_issuer" (HTTPS with
// an untrusted issuer).
func (s *Server) faultServerControl(ctx *fasthttp.RequestCtx) {
	var req struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(ctx.PostBody(), &req); err != nil {
		writeJSON(ctx, 400, map[string]string{"error": err.Error()})
		return
	}
	var addr, scheme = "", "https"
	var stop io.Closer
	var err error
	switch req.Kind {
	case "blackhole":
		addr, stop, err = Blackhole()
	case "refused":
		addr, err = RefusedAddr()
	case "reset":
		addr, stop, err = ResetServer()
	case "tls_unknown_issuer":
		addr, stop, err = UnknownIssuerServer()
	default:
		writeJSON(ctx, 400, map[string]string{"error": "kind must be blackhole, refused, reset or tls_unknown_issuer"})
		return
	}
	if err != nil {
		writeJSON(ctx, 500, map[string]string{"error": err.Error()})
		return
	}
	if stop != nil {
		s.mu.Lock()
		s.faultServers = append(s.faultServers, stop)
		s.mu.Unlock()
	}
	writeJSON(ctx, 200, map[string]string{"url": scheme + "://" + addr})
}

func (s *Server) closeFaultServersLocked() {
	for _, c := range s.faultServers {
		c.Close()
	}
	s.faultServers = nil
}
