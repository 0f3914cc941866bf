// Package core speaks the Ministry of Health's teleradiology protocol: OGN
// tokens (cached), PostOtac, the viewer URL and helper-service calls. It is
// pure Go; export/ turns it into the C ABI.
package core

import (
	"crypto/tls"
	"net/url"
	"strings"
	"time"

	"github.com/teleradyoloji/teleradyoloji/core/internal/conn"
	"github.com/teleradyoloji/teleradyoloji/core/internal/jsonx"
	"github.com/teleradyoloji/teleradyoloji/core/internal/logx"
	"github.com/valyala/fasthttp"
)

// Client is safe for use by many goroutines at once.
type Client struct {
	cfg        Config
	http       *fasthttp.Client
	conns      *conn.Pool
	api        conn.Target // the API host, connected ahead while a token is fetched
	cache      *tokenCache
	tokenURL   string
	otacURL    string
	apiBase    string
	viewerBase string
	secrets    []string // never to appear in an error: password, proxy password
	tlsConfig  func() *tls.Config
	caPEM      []byte // ca_file's certificates
	ahead      ahead  // background token fetches (ahead.go)
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
	tlsConfig := tlsConfigLoader(caPEM)
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
	if u, err := url.Parse(cfg.Proxy); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			c.secrets = append(c.secrets, p, url.QueryEscape(p))
		}
	}
	// The password as it may come back from a server: form- or JSON-encoded.
	quoted, _ := jsonx.Marshal(cfg.Password)
	c.secrets = append(c.secrets, url.QueryEscape(cfg.Password), string(quoted[1:len(quoted)-1]))
	c.conns = conn.New(conn.Options{TLSConfig: tlsConfig, Proxy: proxy, IdleTimeout: cfg.IdleTimeout, Timeout: cfg.Timeout,
		Redact: func(s string) string { return maskSecrets(s, c.secrets...) }})
	c.http = newHTTPClient(&c.cfg, c.conns)
	c.tlsConfig = tlsConfig
	c.caPEM = caPEM
	c.logCreated()
	if strings.HasPrefix(cfg.OGNURL, "https:") || strings.HasPrefix(cfg.APIURL, "https:") {
		// The system roots and (on Windows) the verifier, made ready off
		// the caller's thread.
		go func() { warmVerifier(tlsConfig().RootCAs) }()
	}
	if cfg.Prewarm {
		c.conns.Warm(targetOf(cfg.OGNURL))
		c.conns.Warm(c.api)
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

// Close stops connecting ahead, drops waiting background token fetches and
// releases idle connections. Calls (and fetches) in progress finish normally.
func (c *Client) Close() {
	c.stopAhead()
	c.conns.Close()
	c.http.CloseIdleConnections()
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
