// Package sandbox is a fake of the Ministry's OGN token server, Teletip
// integration API and teleradiology viewer, served on loopback. It follows
// the guide, can inject faults and counts what it received, so that tests,
// the demo and vendors without credentials can run the real flow offline.
// docs/sandbox.md describes its endpoints.
package sandbox

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// The credentials the sandbox accepts by default.
const (
	InstitutionCode = "1234567"
	Password        = "Gizli-Parola-2026!"
	ApplicationCode = "SANDBOX-HIS"
	ClientID        = "ogn.sbys.api"
	GrantType       = "client_sbys"
)

// Options configure a sandbox; zero values take the defaults above.
type Options struct {
	Addr            string // listen address, default 127.0.0.1:0
	InstitutionCode string
	Password        string
	ApplicationCode string
	TLS             bool     // serve HTTPS with a fresh test CA (see CACertPEM)
	TLSNames        []string // host names the certificate is valid for, besides localhost
	// SeparateAPI serves the integration API and the viewer on a second
	// loopback port, so that a client sees two hosts as with the Ministry.
	SeparateAPI bool
	// IdleTimeout closes connections idle that long (as nginx's
	// keepalive_timeout; TLS ones with close_notify); 0 keeps them.
	IdleTimeout time.Duration
	// OTACLifetime and MaxOTACs bound the OTACs kept (default 10 minutes
	// and 100,000; see otacStore).
	OTACLifetime time.Duration
	MaxOTACs     int
}

// Server is a running sandbox.
type Server struct {
	opts    Options
	ln      net.Listener
	apiLn   net.Listener // with SeparateAPI; else nil
	srv     *fasthttp.Server
	scheme  string
	caPEM   []byte
	stopped chan struct{}

	mu      sync.Mutex
	gen     uint64 // counts resets: a request counts only in the generation it arrived in
	stats   Stats
	faults  []*Fault
	conf    Config
	tokens  map[string]tokenInfo
	otacs   *otacStore
	revoked map[string]bool
	held    chan struct{} // closed by Release: ends "hold" faults

	connMu sync.Mutex
	conns  map[string]*ConnStats
	open   map[*trackedConn]string

	faultServers []io.Closer // started by POST /_sandbox/fault_server; closed by reset
}

type tokenInfo struct{ doctor, patient string }

// Start listens and serves in the background until Close.
func Start(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.InstitutionCode == "" {
		opts.InstitutionCode = InstitutionCode
	}
	if opts.Password == "" {
		opts.Password = Password
	}
	if opts.ApplicationCode == "" {
		opts.ApplicationCode = ApplicationCode
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, scheme: "http", stopped: make(chan struct{}),
		conns: map[string]*ConnStats{}, open: map[*trackedConn]string{}}
	s.resetLocked()
	var cert *tls.Certificate
	if opts.TLS {
		c, caPEM, err := newTestCertificate(opts.TLSNames)
		if err != nil {
			ln.Close()
			return nil, err
		}
		cert, s.caPEM, s.scheme = &c, caPEM, "https"
	}
	s.ln = s.listen(ln, "main", cert)
	if opts.SeparateAPI {
		host, _, _ := net.SplitHostPort(ln.Addr().String())
		apiLn, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.apiLn = s.listen(apiLn, "api", cert)
	}
	s.srv = &fasthttp.Server{
		Handler:                      s.handle,
		Name:                         "teleradyoloji-sandbox",
		Logger:                       log.New(io.Discard, "", 0),
		MaxRequestBodySize:           1 << 20,
		DisablePreParseMultipartForm: true,
		IdleTimeout:                  opts.IdleTimeout,
	}
	go func() {
		defer close(s.stopped)
		_ = s.srv.Serve(s.ln)
	}()
	if s.apiLn != nil {
		go func() { _ = s.srv.Serve(s.apiLn) }()
	}
	return s, nil
}

// URL is the base URL: ogn_url; api_url is URL()+"/integrationapi" and
// viewer_url is URL()+"/viewer/".
func (s *Server) URL() string { return fmt.Sprintf("%s://%s", s.scheme, s.ln.Addr()) }

// APIURL is the integration API base.
func (s *Server) APIURL() string { return s.apiHostURL() + "/integrationapi" }

// ViewerURL is the viewer base.
func (s *Server) ViewerURL() string { return s.apiHostURL() + "/viewer/" }

// apiHostURL is the base of the API and viewer host: URL() unless SeparateAPI.
func (s *Server) apiHostURL() string {
	if s.apiLn == nil {
		return s.URL()
	}
	return fmt.Sprintf("%s://%s", s.scheme, s.apiLn.Addr())
}

// CACertPEM is the test CA that signed the TLS certificate (TLS only).
func (s *Server) CACertPEM() []byte { return s.caPEM }

// Close stops serving and closes open connections.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closeFaultServersLocked()
	s.mu.Unlock()
	err := s.srv.Shutdown()
	s.ln.Close()
	if s.apiLn != nil {
		s.apiLn.Close()
	}
	<-s.stopped
	return err
}

// ConfigJSON is a client config JSON pointing at this sandbox with its
// credentials, plus any extra "key":value members (raw JSON, without braces).
func (s *Server) ConfigJSON(extra string) string {
	j := fmt.Sprintf(`{"institution_code":%q,"password":%q,"application_code":%q,"ogn_url":%q,"api_url":%q,"viewer_url":%q`,
		s.opts.InstitutionCode, s.opts.Password, s.opts.ApplicationCode, s.URL(), s.APIURL(), s.ViewerURL())
	if extra != "" {
		j += "," + extra
	}
	return j + "}"
}

// randomCode is 32 random bytes in unpadded base64url: 43 characters like the
// guide's sample OTAC.
func randomCode() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *Server) handle(ctx *fasthttp.RequestCtx) {
	path := string(ctx.Path())
	if len(path) > 10 && path[:10] == "/_sandbox/" {
		s.control(ctx, path[10:])
		return
	}
	s.mu.Lock()
	conf := s.conf
	s.mu.Unlock()
	if conf.DateSkewS != nil && *conf.DateSkewS != 0 {
		defer skewDate(ctx, time.Duration(*conf.DateSkewS)*time.Second)
	}
	if conf.BlockIP != nil && *conf.BlockIP {
		ipNotAllowed(ctx)
		return
	}
	switch {
	case path == "/connect/token":
		s.faulted(ctx, "token", s.token)
	case path == "/integrationapi/postOTAC":
		s.faulted(ctx, "otac", s.postOTAC)
	case len(path) > 15 && path[:15] == "/integrationapi":
		s.faulted(ctx, "api", s.helper)
	case path == "/viewer" || path == "/viewer/" || path == "/viewer/index.html":
		s.faulted(ctx, "viewer", s.viewerPage)
	case path == "/viewer/api/open":
		s.faulted(ctx, "viewer", s.openStudy)
	default:
		ctx.Error("not found", fasthttp.StatusNotFound)
	}
}
