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
	p.mu.Lock()
	opening := p.spares[target].opening
	p.mu.Unlock()
	p.Close()
	select {
	case <-opening:
	case <-time.After(60 * time.Second): // a bound for a hang, not a timing
		t.Fatal("the warm-up still looks its host up after Close")
	}
}
