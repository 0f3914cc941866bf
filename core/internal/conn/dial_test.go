package conn

import (
	"context"
	"errors"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// fakePool resolves every name to ips (counting lookups) and records the
// deadline each address was given; the first address never answers.
func fakePool(ips ...string) (*Pool, *atomic.Int32, map[string]time.Time) {
	p := New(Options{})
	lookups := new(atomic.Int32)
	p.dns.lookup = func(ctx context.Context, host string) ([]net.IPAddr, error) {
		lookups.Add(1)
		var out []net.IPAddr
		for _, ip := range ips {
			out = append(out, net.IPAddr{IP: net.ParseIP(ip)})
		}
		return out, nil
	}
	given := map[string]time.Time{}
	p.connect = func(ctx context.Context, ip net.IP, port int, deadline time.Time) (net.Conn, error) {
		given[ip.String()] = deadline
		if ip.Equal(net.ParseIP(ips[0])) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
		}
		c1, c2 := net.Pipe()
		c2.Close()
		return c1, nil
	}
	return p, lookups, given
}

// TestDeadAddressGetsOnlyAShare: with a blackholed first address (IPv6, as
// when a hospital has no IPv6 route), the next address is tried with the
// rest of the time; families alternate.
func TestDeadAddressGetsOnlyAShare(t *testing.T) {
	p, _, given := fakePool("2001:db8::1", "2001:db8::2", "192.0.2.1")
	start := time.Now()
	c, err := p.dialTCP(context.Background(), "ministry.example:443", start.Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	first := given["2001:db8::1"].Sub(start)
	if first > 10*time.Second+time.Second || first < 9*time.Second {
		t.Fatalf("the first of 3 addresses got %v of 30 s, want about a third", first)
	}
	if _, ok := given["192.0.2.1"]; !ok {
		t.Fatalf("IPv4 was not tried second: %v", given)
	}
	if _, ok := given["2001:db8::2"]; ok {
		t.Fatal("the second IPv6 address was tried before IPv4")
	}
}

func TestShareOfShortDeadline(t *testing.T) {
	now := time.Now()
	if got := shareOf(now, now.Add(3*time.Second), 3).Sub(now); got != 2*time.Second {
		t.Fatalf("3 s for 3 addresses: %v each, want the 2 s minimum", got)
	}
	if got := shareOf(now, now.Add(time.Second), 3).Sub(now); got != time.Second {
		t.Fatalf("1 s left: %v, want all of it", got)
	}
}

func TestResolverCachesForAMinute(t *testing.T) {
	p, lookups, _ := fakePool("192.0.2.9", "192.0.2.1")
	for i := 0; i < 3; i++ {
		if c, err := p.dialTCP(context.Background(), "ministry.example:443", time.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		} else {
			c.Close()
		}
	}
	if n := lookups.Load(); n != 1 {
		t.Fatalf("%d lookups for 3 dials within a minute", n)
	}
	p.dns.mu.Lock()
	e := p.dns.cache["ministry.example"]
	e.expires = time.Now().Add(-time.Second)
	p.dns.cache["ministry.example"] = e
	p.dns.mu.Unlock()
	if c, err := p.dialTCP(context.Background(), "ministry.example:443", time.Now().Add(time.Second)); err == nil {
		c.Close()
	}
	if n := lookups.Load(); n != 2 {
		t.Fatalf("an expired entry was not looked up again (%d lookups)", n)
	}
	// Failures are not cached; IP literals are never looked up.
	p.dns.lookup = func(context.Context, string) ([]net.IPAddr, error) { return nil, errors.New("no such host") }
	if _, err := p.dns.resolve(context.Background(), "other.example", time.Now().Add(time.Second)); err == nil {
		t.Fatal("lookup error lost")
	}
	if ips, err := p.dns.resolve(context.Background(), "127.0.0.1", time.Now()); err != nil || len(ips) != 1 {
		t.Fatal(ips, err)
	}
}
