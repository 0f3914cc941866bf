package conn

import (
	"sync/atomic"
	"time"
)

// Reconnect ahead: while a host has carried a request in the last
// IdleTimeout, a sweep every aheadEvery looks at its connections without
// reading them. One the server closed (see closedWhileIdle) is marked dead,
// and a spare is opened in the background unless the host still has a live
// one: the next request then does not connect on the caller's path. A server that closes
// at once costs at most aheadBudget reconnects per host per aheadWindow, the
// n-th one (n-1)×aheadBackoff after the close. One timer per pool, none
// when the pool was not used for IdleTimeout: no goroutine per client.
const (
	aheadEvery   = 250 * time.Millisecond
	aheadBudget  = 3
	aheadWindow  = time.Minute
	aheadBackoff = 500 * time.Millisecond
)

// hostUse is what a pool remembers of one host's use.
type hostUse struct {
	lastUse atomic.Int64 // when a request last went out (unix ns); 0: never
	// guarded by Pool.mu:
	windowStart time.Time // of the current aheadWindow
	reconnects  int       // reconnects ahead in it
	stopped     bool      // the budget ran out in it (logged once)
}

// hostUse returns t's record, made on first use.
func (p *Pool) hostUse(t Target) *hostUse {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.use[t]
	if u == nil {
		u = &hostUse{}
		p.use[t] = u
	}
	return u
}

// used records that a request goes out to u's host and starts the sweeps.
func (p *Pool) used(u *hostUse) {
	u.lastUse.Store(time.Now().UnixNano())
	if !p.sweeping.Load() && p.sweeping.CompareAndSwap(false, true) {
		time.AfterFunc(aheadEvery, p.sweep)
	}
}

// recent reports that u's host carried a request in the last IdleTimeout.
func (p *Pool) recent(u *hostUse, now time.Time) bool {
	last := u.lastUse.Load()
	return last != 0 && now.Sub(time.Unix(0, last)) <= p.opts.IdleTimeout
}

// sweep looks for connections the server closed, on hosts in use, and
// schedules the next sweep while any host is in use.
func (p *Pool) sweep() {
	now := time.Now()
	var check []*liveConn
	p.mu.Lock()
	inUse := false
	for t, u := range p.use {
		if p.closed || !p.recent(u, now) {
			continue
		}
		inUse = true
		for c := range p.open[t] {
			if !c.dead.Load() {
				check = append(check, c)
			}
		}
	}
	p.mu.Unlock()
	closed := map[Target]bool{}
	for _, c := range check {
		// Not a connection being read or just written: its answer may be
		// under way, and fasthttp closes it itself after a "close".
		if c.idleAt(now) > unreadGrace && c.closedWhileIdle() {
			c.dead.Store(true) // its next Write fails with ErrIdleClosed, nothing sent
			p.dropSpare(c)
			closed[c.key] = true
		}
	}
	for t := range closed {
		p.reconnectAhead(t, now)
	}
	if inUse {
		time.AfterFunc(aheadEvery, p.sweep)
		return
	}
	p.sweeping.Store(false)
	// A request that went out during this sweep found it still scheduled.
	p.mu.Lock()
	again := false
	for _, u := range p.use {
		again = again || !p.closed && p.recent(u, time.Now())
	}
	p.mu.Unlock()
	if again && p.sweeping.CompareAndSwap(false, true) {
		time.AfterFunc(aheadEvery, p.sweep)
	}
}

// dropSpare closes c if it is its host's spare.
func (p *Pool) dropSpare(c *liveConn) {
	p.mu.Lock()
	s := p.spares[c.key]
	mine := s != nil && s.conn == c
	if mine {
		s.conn = nil
	}
	p.mu.Unlock()
	if mine {
		c.Close()
	}
}

// reconnectAhead opens a spare to t, within the budget, unless t has a
// live connection or a spare.
func (p *Pool) reconnectAhead(t Target, now time.Time) {
	if !p.NeedsConn(t) {
		return
	}
	p.mu.Lock()
	u := p.use[t]
	if now.Sub(u.windowStart) > aheadWindow {
		u.windowStart, u.reconnects, u.stopped = now, 0, false
	}
	n := u.reconnects
	stop := n >= aheadBudget && !u.stopped
	if n >= aheadBudget {
		u.stopped = true
	} else {
		u.reconnects++
	}
	p.mu.Unlock()
	switch {
	case stop:
		logAheadStopped(t, aheadBudget, aheadWindow)
		return
	case n >= aheadBudget:
		return
	}
	logReconnectAhead(t, n+1)
	if n == 0 {
		p.Warm(t)
		return
	}
	time.AfterFunc(time.Duration(n)*aheadBackoff, func() {
		if p.recent(u, time.Now()) {
			p.WarmIfNeeded(t)
		}
	})
}

// closedWhileIdle: the server closed c, or c carried a request and has TLS
// bytes nobody asked for (a close_notify; where the TCP state cannot be
// read, it hides the FIN behind it). Not for an unused spare: its bytes may
// be TLS 1.3 session tickets.
func (c *liveConn) closedWhileIdle() bool {
	return closedByServer(c.raw) || c.tls != nil && c.used.Load() && peek(c.raw) == peekData
}
