package conn

import (
	"crypto/tls"
	"testing"
	"time"
)

// keptTLS opens a TLS connection to addr as the pool does, marked kept.
func keptTLS(t *testing.T, p *Pool, addr string, cfg *tls.Config) *liveConn {
	t.Helper()
	raw, err := p.dialTCP(addr, time.Now().Add(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	tc := tls.Client(raw, cfg)
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	c := &liveConn{Conn: tc, raw: raw, tls: tc, pool: p, key: Target{Addr: addr, TLS: true}}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestAliveDoesNotDependOnTiming: a thread descheduled past the probe
// read's deadline (forced here: the first deadline has passed before the
// read) must not pass a connection the server closed (close_notify and FIN
// waiting) as alive; a healthy one stays alive.
func TestAliveDoesNotDependOnTiming(t *testing.T) {
	saved := probeWaits
	t.Cleanup(func() { probeWaits = saved })
	probeWaits = []time.Duration{-time.Millisecond, 50 * time.Millisecond}

	closed := make(chan struct{})
	addr, cfg := serveTLS(t, func(c *tls.Conn) {
		if c.ConnectionState().ServerName == "closing" {
			c.Close() // close_notify, then FIN
			close(closed)
			return
		}
		time.Sleep(10 * time.Second)
		c.Close()
	})
	p := New(Options{})

	cfgClosing := cfg.Clone()
	cfgClosing.ServerName = "closing"
	cfgClosing.InsecureSkipVerify = true // the name is only a signal to the server
	c := keptTLS(t, p, addr, cfgClosing)
	<-closed
	waitPeek(t, c, peekData)
	if c.alive() {
		t.Fatal("a connection closed by the server (close_notify waiting) passed as alive")
	}

	if ok := keptTLS(t, p, addr, cfg); !ok.alive() {
		t.Fatal("a live connection was judged closed")
	}
}

// waitPeek waits up to 10 s (a bound, not a timing) for bytes on c.
func waitPeek(t *testing.T, c *liveConn, want peekResult) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if peek(c.raw) == want {
			return
		}
	}
	t.Fatalf("peek never gave %v", want)
}
