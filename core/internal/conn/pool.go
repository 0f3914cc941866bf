// Package conn opens and keeps the connections of one trl client to the
// Ministry's hosts: cached DNS, addresses raced (Happy Eyeballs), TLS with
// session resumption, kept connections checked before reuse, and spare
// connections opened ahead of need (prewarm, and the API connection raced
// with a token request).
package conn

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// Target is one host as fasthttp names it: "host:port" and the scheme.
type Target struct {
	Addr string
	TLS  bool
}

// TargetOf is the Target of a base URL's host.
func TargetOf(host string, https bool) Target {
	return Target{Addr: fasthttp.AddMissingPort(host, https), TLS: https}
}

// Options configure a Pool.
type Options struct {
	// TLSConfig returns the base TLS settings (roots, minimum version,
	// session cache); it may block the first time (loading system roots).
	TLSConfig func() *tls.Config
	// Proxy chooses the proxy of each connection (see ProxyChooser); nil
	// connects directly.
	Proxy ProxyChoice
	// IdleTimeout is how long a spare connection is kept unused.
	IdleTimeout time.Duration
	// Timeout bounds a dial that fasthttp asks for without one, and a warm-up.
	Timeout time.Duration
	// Redact removes the client's secrets from text bound for a log event
	// (an error from a proxy dialer may quote its URL); nil leaves text as is.
	Redact func(string) string
}

// Pool dials for one fasthttp.Client and keeps at most one spare connection
// per host, opened in the background.
type Pool struct {
	opts     Options
	dns      *resolver
	attempts func(ctx context.Context, port int, deadline time.Time) attempts // connection attempts racing (see race)
	dead     *deadAddrs
	ctx      context.Context
	stop     context.CancelFunc

	mu     sync.Mutex
	closed bool
	hosts  map[Target]*fasthttp.HostClient
	open   map[Target]map[*liveConn]struct{}
	spares map[Target]*spare
	use    map[Target]*hostUse // see ahead.go

	sweeping atomic.Bool // a sweep for closed connections is scheduled (ahead.go)
}

// spare is a connection opened ahead of need, or being opened.
type spare struct {
	conn    *liveConn
	since   time.Time
	opening chan struct{} // closed when an opening finishes
}

// New makes a pool; Close stops its warm-ups and closes its spares.
func New(opts Options) *Pool {
	ctx, stop := context.WithCancel(context.Background())
	return &Pool{
		opts: opts, dns: newResolver(), attempts: newAttempts, dead: newDeadAddrs(), ctx: ctx, stop: stop,
		hosts: map[Target]*fasthttp.HostClient{}, open: map[Target]map[*liveConn]struct{}{},
		spares: map[Target]*spare{}, use: map[Target]*hostUse{},
	}
}

// Configure is fasthttp's ConfigureClient hook: every connection of hc is
// dialed by the pool.
func (p *Pool) Configure(hc *fasthttp.HostClient) {
	t := Target{Addr: hc.Addr, TLS: hc.IsTLS}
	p.mu.Lock()
	p.hosts[t] = hc
	p.mu.Unlock()
	hc.Dial = nil
	hc.DialTimeout = func(addr string, timeout time.Duration) (net.Conn, error) {
		if timeout <= 0 {
			// fasthttp gives a request that waited for a free slot no
			// timeout of its own: use the call's.
			timeout = p.opts.Timeout
		}
		return p.dial(Target{Addr: addr, TLS: t.TLS}, time.Now().Add(timeout))
	}
}

// dial hands out the host's spare connection, waiting for one being opened,
// or opens a new one.
func (p *Pool) dial(t Target, deadline time.Time) (net.Conn, error) {
	if c := p.takeSpare(t, deadline); c != nil {
		return c, nil
	}
	// Not p.ctx: a call in progress finishes normally after Close.
	return p.connect1(context.Background(), t, deadline, false)
}

func (p *Pool) takeSpare(t Target, deadline time.Time) *liveConn {
	p.mu.Lock()
	s := p.spares[t]
	if s != nil && s.conn == nil && s.opening != nil {
		wait := s.opening
		p.mu.Unlock()
		timer := time.NewTimer(time.Until(deadline))
		select {
		case <-wait:
		case <-timer.C:
		}
		timer.Stop()
		p.mu.Lock()
	}
	defer p.mu.Unlock()
	if s == nil || s.conn == nil {
		return nil
	}
	c := s.conn
	s.conn = nil
	if time.Since(s.since) > p.opts.IdleTimeout {
		go c.Close()
		return nil
	}
	return c
}

// Warm opens a spare connection to t in the background unless t has one,
// ready or being opened. A failure is silent: the next request dials itself.
func (p *Pool) Warm(t Target) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	s := p.spares[t]
	if s == nil {
		s = &spare{}
		p.spares[t] = s
	}
	if s.conn != nil || s.opening != nil {
		p.mu.Unlock()
		return
	}
	done := make(chan struct{})
	s.opening = done
	p.mu.Unlock()
	go func() {
		c, err := p.connect1(p.ctx, t, time.Now().Add(p.opts.Timeout), true)
		p.mu.Lock()
		s.opening = nil
		if err == nil {
			if p.closed || s.conn != nil {
				defer c.Close()
			} else {
				c.kept.Store(true) // checked before its first request
				s.conn, s.since = c, time.Now()
				time.AfterFunc(p.opts.IdleTimeout, func() { p.expire(s, c) })
			}
		}
		p.mu.Unlock()
		close(done)
	}()
}

// expire closes spare c if it is still unused.
func (p *Pool) expire(s *spare, c *liveConn) {
	p.mu.Lock()
	unused := s.conn == c
	if unused {
		s.conn = nil
	}
	p.mu.Unlock()
	if unused {
		c.Close()
	}
}

// WarmIfNeeded is Warm when NeedsConn: a no-op where a kept connection or
// a spare is there already (another client of a shared pool made it).
func (p *Pool) WarmIfNeeded(t Target) {
	if p.NeedsConn(t) {
		p.Warm(t)
	}
}

// NeedsConn reports that t has no kept connection that looks alive and no
// spare: a request to it would have to connect first.
func (p *Pool) NeedsConn(t Target) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.spares[t]; s != nil && (s.conn != nil || s.opening != nil) {
		return false
	}
	hc := p.hosts[t]
	if hc == nil {
		return true
	}
	idle := hc.IdleConnsCount()
	now := time.Now()
	for c := range p.open[t] {
		if idle > 0 && c.looksClosed(now) {
			idle-- // a guess: a wrong one costs a spare connection, no more
		}
	}
	return idle <= 0
}

// Close stops warm-ups in flight and closes the spares. Connections in
// fasthttp's pool are closed by its CloseIdleConnections.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	var spares []*liveConn
	for _, s := range p.spares {
		if s.conn != nil {
			spares = append(spares, s.conn)
			s.conn = nil
		}
	}
	p.mu.Unlock()
	p.stop()
	for _, c := range spares {
		c.Close()
	}
}

// connect1 connects, completes TLS and registers the connection; ahead tells
// the log that it is a spare opened ahead of need.
func (p *Pool) connect1(ctx context.Context, t Target, deadline time.Time, ahead bool) (*liveConn, error) {
	start := time.Now()
	c, stage, err := p.open1(ctx, t, deadline, ahead, start)
	if err != nil {
		logConnFailed(t, stage, err, time.Since(start), ahead, p.opts.Redact)
	}
	return c, err
}

// open1 is connect1; stage names the step that failed ("connect" or "tls").
func (p *Pool) open1(ctx context.Context, t Target, deadline time.Time, ahead bool, start time.Time) (*liveConn, string, error) {
	raw, proxied, err := p.dialRaw(ctx, t, deadline)
	if err != nil {
		return nil, "connect", err
	}
	logConnOpened(t, raw, time.Since(start), proxied, ahead)
	c := &liveConn{Conn: raw, raw: raw, pool: p, key: t, ahead: ahead, use: p.hostUse(t)}
	c.lastUse.Store(time.Now().UnixNano())
	if t.TLS {
		cfg := p.opts.TLSConfig().Clone()
		if host, _, err := net.SplitHostPort(t.Addr); err == nil {
			cfg.ServerName = host
		}
		if cfg.ClientSessionCache != nil {
			cfg.ClientSessionCache = hostSessions{cfg.ClientSessionCache, t.Addr}
		}
		tc := tls.Client(raw, cfg)
		hctx, cancel := context.WithDeadline(ctx, deadline)
		_ = raw.SetDeadline(deadline)
		tlsStart := time.Now()
		err := tc.HandshakeContext(hctx)
		cancel()
		_ = raw.SetDeadline(time.Time{})
		if err != nil {
			raw.Close()
			return nil, "tls", err
		}
		logTLS(t, tc.ConnectionState(), time.Since(tlsStart))
		c.Conn, c.tls = tc, tc
	}
	p.mu.Lock()
	if p.open[t] == nil {
		p.open[t] = map[*liveConn]struct{}{}
	}
	p.open[t][c] = struct{}{}
	p.mu.Unlock()
	return c, "", nil
}

// forget drops a closed connection from the pool's records.
func (p *Pool) forget(c *liveConn) {
	p.mu.Lock()
	delete(p.open[c.key], c)
	p.mu.Unlock()
}

// hostSessions keys TLS sessions by host and port: Go keys them by server
// name alone, and two services on one name (or IP) hold different keys.
type hostSessions struct {
	tls.ClientSessionCache
	addr string
}

func (h hostSessions) Get(key string) (*tls.ClientSessionState, bool) {
	return h.ClientSessionCache.Get(h.addr + "|" + key)
}

func (h hostSessions) Put(key string, cs *tls.ClientSessionState) {
	h.ClientSessionCache.Put(h.addr+"|"+key, cs)
}
