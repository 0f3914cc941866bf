package conn

import (
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ErrIdleClosed: a kept connection was found closed by the server before
// anything was written to it. The request never left, so it may be sent
// again on another connection whatever its method.
var ErrIdleClosed = errors.New("kept connection closed by the server; nothing was sent")

type peekResult int

const (
	peekUnknown peekResult = iota // this platform cannot look without reading
	peekEmpty                     // open, nothing waiting
	peekData                      // bytes waiting
	peekClosed                    // the server closed it (FIN or RST)
)

// probeWaits bound the reads that check a kept connection where a plain
// look is not enough (TLS records waiting, or no peek on this platform):
// the first is all a TLS session ticket needs; the longer ones are for a
// thread descheduled past the first deadline before it read anything.
var probeWaits = []time.Duration{time.Millisecond, 10 * time.Millisecond, 100 * time.Millisecond}

// liveConn is a connection to one Ministry host, TLS done. Before a request
// goes out on a connection that was used or kept before, it checks the
// server has not closed it; a closed one fails the write with ErrIdleClosed
// before a byte is sent.
type liveConn struct {
	net.Conn           // what HTTP reads and writes: *tls.Conn or raw
	raw      net.Conn  // the TCP connection
	tls      *tls.Conn // nil for plain http (loopback only)
	pool     *Pool
	key      Target
	use      *hostUse     // its host's use (ahead.go)
	ahead    bool         // opened ahead of need (prewarm, or while a token was fetched)
	used     atomic.Bool  // has carried a request
	kept     atomic.Bool  // the next Write starts a request on a kept connection
	dead     atomic.Bool  // seen closed by the server
	reading  atomic.Bool  // a Read is in progress
	lastUse  atomic.Int64 // when a Read or Write last ended (unix ns)
	once     sync.Once
}

// Handshake tells fasthttp that TLS is done here (it would wrap it again).
func (c *liveConn) Handshake() error { return nil }

func (c *liveConn) Read(p []byte) (int, error) {
	c.reading.Store(true)
	n, err := c.Conn.Read(p)
	c.reading.Store(false)
	c.lastUse.Store(time.Now().UnixNano())
	if n > 0 {
		c.kept.Store(true)
	}
	return n, err
}

func (c *liveConn) Write(p []byte) (int, error) {
	if c.kept.Swap(false) {
		idle := c.idleAt(time.Now())
		if !c.alive() {
			logStale(c.key, idle)
			c.Close()
			return 0, ErrIdleClosed
		}
		logReused(c.key, idle, c.ahead && !c.used.Load())
	}
	c.used.Store(true)
	c.pool.used(c.use)
	n, err := c.Conn.Write(p)
	c.lastUse.Store(time.Now().UnixNano())
	return n, err
}

// idleAt is how long nothing has read or written c, or 0 while a Read is
// in progress.
func (c *liveConn) idleAt(now time.Time) time.Duration {
	if c.reading.Load() {
		return 0
	}
	return now.Sub(time.Unix(0, c.lastUse.Load()))
}

// looksClosed guesses, without reading, that the server closed c: FIN, or
// bytes nobody reads on a connection idle for a while (a TLS close_notify
// before the FIN).  A connection being read from is never touched.
func (c *liveConn) looksClosed(now time.Time) bool {
	if c.dead.Load() {
		return true
	}
	switch peek(c.raw) {
	case peekClosed:
		return true
	case peekData:
		return c.idleAt(now) > unreadGrace
	}
	return false
}

// unreadGrace: bytes waiting this long on a connection nobody reads are
// not an answer being read (between two reads of one answer, a client
// takes microseconds).
const unreadGrace = 100 * time.Millisecond

func (c *liveConn) Close() error {
	c.once.Do(func() { c.pool.forget(c) })
	return c.Conn.Close()
}

// alive checks a kept connection without sending anything. With bytes
// waiting on a TLS connection (a TLS 1.3 session ticket, or close_notify),
// it reads them through TLS and looks again: the verdict comes from what is
// left, never from a read's deadline, which a descheduled thread can pass
// before reading a byte.
func (c *liveConn) alive() bool {
	if c.dead.Load() {
		return false
	}
	for _, wait := range probeWaits {
		switch peek(c.raw) {
		case peekEmpty:
			return true
		case peekClosed:
			return false
		case peekData:
			if c.tls == nil {
				return false // an answer nobody asked for: the stream is out of step
			}
			if !c.readNothing(wait) {
				return false
			}
		case peekUnknown:
			// No look without reading here: only a read that times out
			// with no data says the connection is usable.
			return c.readNothing(wait)
		}
	}
	return false // bytes still waiting after every read: not worth the risk
}

// readNothing reads with a deadline wait away; true when the read ended at
// its deadline with no data (records such as a session ticket are consumed
// inside TLS and give none).
func (c *liveConn) readNothing(wait time.Duration) bool {
	_ = c.Conn.SetReadDeadline(time.Now().Add(wait))
	var b [1]byte
	n, err := c.Conn.Read(b[:])
	_ = c.Conn.SetReadDeadline(time.Time{})
	var ne net.Error
	return n == 0 && errors.As(err, &ne) && ne.Timeout()
}
