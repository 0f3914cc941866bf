package conn

import (
	"context"
	"net"
	"testing"
	"time"
)

// TestCloseStopsWarmUpInDNS: Close ends a warm-up still looking its host up
// (the lookup would take the hour-long timeout).
func TestCloseStopsWarmUpInDNS(t *testing.T) {
	p := New(Options{Timeout: time.Hour, IdleTimeout: time.Minute})
	looking := make(chan struct{})
	p.dns.lookup = func(ctx context.Context, host string) ([]net.IPAddr, error) {
		close(looking)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	target := Target{Addr: "ministry.example:443", TLS: true}
	p.Warm(target)
	<-looking
	closeAndWaitWarmUp(t, p, target, "the warm-up still looks its host up after Close")
}

// TestCloseStopsRacingWarmUp: Close ends a warm-up whose addresses race,
// and blames none of them (none is remembered as dead).
func TestCloseStopsRacingWarmUp(t *testing.T) {
	p, f := fakePool([]string{"192.0.2.1", "192.0.2.2"}, "192.0.2.1", "192.0.2.2")
	p.opts.Timeout, p.opts.IdleTimeout = time.Hour, time.Minute
	target := Target{Addr: "ministry.example:443", TLS: true}
	p.Warm(target)
	f.next(t)
	closeAndWaitWarmUp(t, p, target, "the warm-up still connects after Close")
	for _, ip := range []string{"192.0.2.1", "192.0.2.2"} {
		if p.dead.isDead(net.ParseIP(ip), time.Now()) {
			t.Fatalf("%s remembered as dead after Close", ip)
		}
	}
}

// closeAndWaitWarmUp closes p and waits until target's warm-up has ended,
// failing with msg if it has not after a bound meant for a hang.
func closeAndWaitWarmUp(t *testing.T, p *Pool, target Target, msg string) {
	t.Helper()
	p.mu.Lock()
	opening := p.spares[target].opening
	p.mu.Unlock()
	p.Close()
	select {
	case <-opening:
	case <-time.After(60 * time.Second): // a bound for a hang, not a timing
		t.Fatal(msg)
	}
}
