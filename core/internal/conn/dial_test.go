package conn

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeNet answers every name with ips (counting lookups); an attempt to a
// blackholed address blocks until the dial gives it up, any other connects.
// The attempt delay's timer fires only when the test says so.
type fakeNet struct {
	lookups atomic.Int32
	started chan net.IP    // each attempt as it starts
	tick    chan time.Time // fires the attempt delay
	mu      sync.Mutex
	blocked map[string]bool
	gaveUp  []string // blackholed attempts ended by the dial
	won     map[net.Conn]string
}

func fakePool(blackholed []string, ips ...string) (*Pool, *fakeNet) {
	p := New(Options{})
	f := &fakeNet{started: make(chan net.IP, 16), tick: make(chan time.Time), blocked: map[string]bool{}, won: map[net.Conn]string{}}
	for _, ip := range blackholed {
		f.blocked[ip] = true
	}
	p.dns.lookup = func(ctx context.Context, host string) ([]net.IPAddr, error) {
		f.lookups.Add(1)
		var out []net.IPAddr
		for _, ip := range ips {
			out = append(out, net.IPAddr{IP: net.ParseIP(ip)})
		}
		return out, nil
	}
	p.attempts = func(port int, deadline time.Time) attempts {
		a := newGoAttempts(f.connect, port, deadline)
		a.after = func(time.Duration) <-chan time.Time { return f.tick }
		return a
	}
	return p, f
}

func (f *fakeNet) connect(ctx context.Context, ip net.IP, port int, deadline time.Time) (net.Conn, error) {
	f.started <- ip
	if f.blocked[ip.String()] {
		<-ctx.Done()
		f.mu.Lock()
		f.gaveUp = append(f.gaveUp, ip.String())
		f.mu.Unlock()
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: ctx.Err()}
	}
	c1, c2 := net.Pipe()
	c2.Close()
	f.mu.Lock()
	f.won[c1] = ip.String()
	f.mu.Unlock()
	return c1, nil
}

func (f *fakeNet) winner(c net.Conn) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.won[c]
}

// next is the next attempt started.
func (f *fakeNet) next(t *testing.T) string {
	t.Helper()
	select {
	case ip := <-f.started:
		return ip.String()
	case <-time.After(10 * time.Second): // a bound, not a timing
		t.Fatal("no attempt started")
		return ""
	}
}

// TestHappyEyeballs: with a blackholed first address (IPv6, as when a
// hospital has no IPv6 route), the next address (IPv4: families
// alternate) starts when the attempt delay passes, without waiting for the
// first to fail; it wins, the first is given up and remembered, and the
// next dial tries the live address first and alone.
func TestHappyEyeballs(t *testing.T) {
	p, f := fakePool([]string{"2001:db8::1"}, "2001:db8::1", "2001:db8::2", "192.0.2.1")
	type result struct {
		c   net.Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := p.dialTCP("ministry.example:443", time.Now().Add(30*time.Second))
		done <- result{c, err}
	}()
	if ip := f.next(t); ip != "2001:db8::1" {
		t.Fatalf("first attempt to %s", ip)
	}
	f.tick <- time.Now() // the attempt delay passes; the first still tries
	if ip := f.next(t); ip != "192.0.2.1" {
		t.Fatalf("second attempt to %s, want IPv4", ip)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if w := f.winner(r.c); w != "192.0.2.1" {
		t.Fatalf("won by %q", w)
	}
	r.c.Close()
	waitForTest(t, "the blackholed attempt to be given up", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.gaveUp) == 1
	})
	if !p.dead.isDead(net.ParseIP("2001:db8::1"), time.Now()) || p.dead.isDead(net.ParseIP("192.0.2.1"), time.Now()) {
		t.Fatal("the dead address was not remembered, or the live one was")
	}

	c, err := p.dialTCP("ministry.example:443", time.Now().Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if ip := f.next(t); ip != "192.0.2.1" {
		t.Fatalf("second dial first tried %s", ip)
	}
	select {
	case ip := <-f.started:
		t.Fatalf("second dial also tried %s", ip)
	default:
	}
}

// TestFailedAttemptStartsNextAtOnce: a refused address does not wait for
// the attempt delay.
func TestFailedAttemptStartsNextAtOnce(t *testing.T) {
	p, f := fakePool(nil, "192.0.2.7", "192.0.2.8")
	inner := p.attempts
	p.attempts = func(port int, deadline time.Time) attempts {
		a := inner(port, deadline).(*goAttempts)
		connect := a.connect
		a.connect = func(ctx context.Context, ip net.IP, port int, d time.Time) (net.Conn, error) {
			if ip.String() == "192.0.2.7" {
				f.started <- ip
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
			}
			return connect(ctx, ip, port, d)
		}
		return a
	}
	c, err := p.dialTCP("ministry.example:443", time.Now().Add(30*time.Second)) // the timer never fires
	if err != nil {
		t.Fatal(err)
	}
	if w := f.winner(c); w != "192.0.2.8" {
		t.Fatalf("won by %q", w)
	}
	c.Close()
}

func TestResolverCachesForAMinute(t *testing.T) {
	p, f := fakePool(nil, "192.0.2.9", "192.0.2.1")
	for i := 0; i < 3; i++ {
		if c, err := p.dialTCP("ministry.example:443", time.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		} else {
			c.Close()
		}
	}
	if n := f.lookups.Load(); n != 1 {
		t.Fatalf("%d lookups for 3 dials within a minute", n)
	}
	p.dns.mu.Lock()
	e := p.dns.cache["ministry.example"]
	e.expires = time.Now().Add(-time.Second)
	p.dns.cache["ministry.example"] = e
	p.dns.mu.Unlock()
	if c, err := p.dialTCP("ministry.example:443", time.Now().Add(time.Second)); err == nil {
		c.Close()
	}
	if n := f.lookups.Load(); n != 2 {
		t.Fatalf("an expired entry was not looked up again (%d lookups)", n)
	}
	// Failures are not cached; IP literals are never looked up.
	p.dns.lookup = func(context.Context, string) ([]net.IPAddr, error) { return nil, errors.New("no such host") }
	if _, err := p.dns.resolve("other.example", time.Now().Add(time.Second)); err == nil {
		t.Fatal("lookup error lost")
	}
	if ips, err := p.dns.resolve("127.0.0.1", time.Now()); err != nil || len(ips) != 1 {
		t.Fatal(ips, err)
	}
}

func TestDeadAddrsBounded(t *testing.T) {
	d := newDeadAddrs()
	for i := 0; i < 3*maxDead; i++ {
		d.add(net.IPv4(10, 0, byte(i>>8), byte(i)))
	}
	if len(d.until) > maxDead {
		t.Fatalf("%d dead addresses remembered", len(d.until))
	}
	ips := []net.IP{net.ParseIP("192.0.2.1"), net.ParseIP("192.0.2.2"), net.ParseIP("192.0.2.3")}
	d.add(ips[0])
	if got := d.order(ips); !got[0].Equal(ips[1]) || !got[1].Equal(ips[2]) || !got[2].Equal(ips[0]) {
		t.Fatalf("order %v", got)
	}
}

// waitForTest polls cond for up to 10 s (a bound, not a timing assertion).
func waitForTest(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("waited 10 s for %s", what)
}
