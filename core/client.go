// Package core speaks the Ministry of Health's teleradiology protocol: OGN
// tokens (cached), PostOtac, the viewer URL and helper-service calls. It is
// pure Go; export/ turns it into the C ABI.
package core

import (
	"crypto/tls"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/teleradyoloji/teleradyoloji/core/internal/conn"
	"github.com/teleradyoloji/teleradyoloji/core/internal/jsonx"
	"github.com/teleradyoloji/teleradyoloji/core/internal/logx"
	"github.com/valyala/fasthttp"
)

// Client is safe for use by many goroutines at once.
type Client struct {
	cfg        Config
	shared     *transport       // shared with every client of equal transport settings
	http       *fasthttp.Client // shared.http
	conns      *conn.Pool       // shared.conns
	closeOnce  sync.Once
	api        conn.Target // the API host, connected ahead while a token is fetched
	cache      *tokenCache
	tokenURL   string
	otacURL    string
	apiBase    string
	viewerBase string
	secrets    []string // never to appear in an error: password, proxy password
	tlsConfig  func() *tls.Config
	caPEM      []byte // ca_file's certificates
	ahead      ahead  // background token fetches (tokenahead.go)
	// clock tells token ages (time.Now; tests move it forward).
	clock func() time.Time
}

// New validates cfg and builds a client.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	caPEM, err := readCAFile(cfg.CAFile)
	if err != nil {
		return nil, err
	}
	proxy, err := proxyChoice(cfg.Proxy)
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:        cfg,
		api:        targetOf(cfg.APIURL),
		cache:      newTokenCache(cfg.ViewerTokenCacheSize),
		tokenURL:   cfg.OGNURL + "/connect/token",
		otacURL:    cfg.APIURL + "/postOTAC",
		apiBase:    cfg.APIURL,
		viewerBase: cfg.ViewerURL + "/",
		secrets:    []string{cfg.Password},
		clock:      time.Now,
	}
	c.secrets = append(c.secrets, proxySecrets(cfg.Proxy)...)
	// The password as it may come back from a server: form- or JSON-encoded.
	quoted, _ := jsonx.Marshal(cfg.Password)
	c.secrets = append(c.secrets, url.QueryEscape(cfg.Password), string(quoted[1:len(quoted)-1]))
	c.shared = acquireTransport(&c.cfg, caPEM, proxy)
	c.http, c.conns, c.tlsConfig = c.shared.http, c.shared.conns, c.shared.tlsConfig
	c.caPEM = caPEM
	c.logCreated()
	if strings.HasPrefix(cfg.OGNURL, "https:") || strings.HasPrefix(cfg.APIURL, "https:") {
		// The system roots and (on Windows) the verifier, made ready off
		// the caller's thread.
		go func() { warmVerifier(c.tlsConfig().RootCAs) }()
	}
	if cfg.Prewarm {
		// No-ops where another client of the transport keeps a connection.
		c.conns.WarmIfNeeded(targetOf(cfg.OGNURL))
		c.conns.WarmIfNeeded(c.api)
	}
	return c, nil
}

// targetOf names the host of a validated base URL as the connection pool does.
func targetOf(base string) conn.Target {
	u, _ := url.Parse(base)
	return conn.TargetOf(u.Host, u.Scheme == "https")
}

// NewFromJSON builds a client from the ABI's config JSON.
func NewFromJSON(configJSON []byte) (*Client, error) {
	cfg, err := ParseConfig(configJSON)
	if err != nil {
		return nil, err
	}
	return New(cfg)
}

// Close drops the client's use of its transport and its waiting background
// token fetches; the last client of a transport stops connecting ahead and
// releases idle connections. Calls (and fetches) in progress finish
// normally. A second Close does nothing.
func (c *Client) Close() {
	closed := false
	c.closeOnce.Do(func() { c.stopAhead(); c.shared.release(); closed = true })
	if !closed {
		return
	}
	logx.New(logx.Info, "client.closed", "client closed").Send()
}

func (c *Client) deadline() time.Time { return time.Now().Add(c.cfg.Timeout) }

// scrub returns a copy of err without the client's secrets and the call's
// tokens. It never changes err itself: one error may be shared by every
// waiter of a token fetch.
func (c *Client) scrub(err error, callSecrets ...string) error {
	e, ok := err.(*Error)
	if !ok || e == nil {
		return err
	}
	secrets := append(callSecrets, c.secrets...)
	cp := *e
	cp.Message = maskSecrets(e.Message, secrets...)
	cp.ServerError = maskSecrets(e.ServerError, secrets...)
	cp.ServerErrorDescription = maskSecrets(e.ServerErrorDescription, secrets...)
	return &cp
}
