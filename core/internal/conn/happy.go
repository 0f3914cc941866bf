package conn

import (
	"context"
	"net"
	"os"
	"sync"
	"time"
)

// attemptDelay is how long a connection attempt runs alone before the next
// address is tried beside it (RFC 8305's Connection Attempt Delay): a dead
// first address costs a connection 250 ms, not its share of the timeout.
const attemptDelay = 250 * time.Millisecond

// attempts are the connection attempts of one dial, to one port, racing.
type attempts interface {
	// start begins attempt i, to ip.
	start(i int, ip net.IP)
	// wait returns the next attempt to finish, or done false when until
	// comes first.
	wait(until time.Time) (i int, c net.Conn, err error, done bool)
	// close ends the attempts still in progress, closing what they open.
	close()
}

// race connects to one of ips as Happy Eyeballs does: the next address
// starts attemptDelay after the previous one (at once when it fails), the
// first connection wins, the others are closed. An address that fails, or
// loses while still trying, is remembered as dead and tried last.
func (p *Pool) race(ips []net.IP, port int, deadline time.Time) (net.Conn, error) {
	ips = p.dead.order(ips)
	a := p.attempts(port, deadline)
	defer a.close()
	next := 0
	trying := map[int]bool{}
	var nextAt time.Time
	startNext := func() {
		trying[next] = true
		a.start(next, ips[next])
		next++
		nextAt = time.Now().Add(attemptDelay)
	}
	startNext()
	var firstErr error
	for len(trying) > 0 {
		until := deadline
		if next < len(ips) && nextAt.Before(deadline) {
			until = nextAt
		}
		i, c, err, done := a.wait(until)
		switch {
		case !done && next < len(ips) && time.Now().Before(deadline):
			startNext()
		case !done:
			for j := range trying {
				p.dead.add(ips[j])
			}
			return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: ips[0], Port: port}, Err: os.ErrDeadlineExceeded}
		case err == nil:
			p.dead.forget(ips[i])
			for j := range trying {
				if j < i { // it had its head start and lost
					p.dead.add(ips[j])
				}
			}
			return c, nil
		default:
			delete(trying, i)
			p.dead.add(ips[i])
			if firstErr == nil {
				firstErr = err
			}
			if next < len(ips) && time.Now().Before(deadline) {
				startNext()
			}
		}
	}
	return nil, firstErr
}

// deadFor is how long an address that did not answer is tried last.
const deadFor = 5 * time.Minute

// maxDead bounds the addresses remembered as dead.
const maxDead = 64

// deadAddrs remembers addresses that did not answer.
type deadAddrs struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func newDeadAddrs() *deadAddrs { return &deadAddrs{until: map[string]time.Time{}} }

func (d *deadAddrs) add(ip net.IP) {
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.until) >= maxDead {
		for k, t := range d.until {
			if now.After(t) {
				delete(d.until, k)
			}
		}
		for k := range d.until {
			if len(d.until) < maxDead {
				break
			}
			delete(d.until, k)
		}
	}
	d.until[ip.String()] = now.Add(deadFor)
}

func (d *deadAddrs) forget(ip net.IP) {
	d.mu.Lock()
	delete(d.until, ip.String())
	d.mu.Unlock()
}

// isDead reports whether ip is remembered as dead.
func (d *deadAddrs) isDead(ip net.IP, now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := d.until[ip.String()]
	return ok && now.Before(t)
}

// order returns ips with the dead ones moved last, the order otherwise kept.
func (d *deadAddrs) order(ips []net.IP) []net.IP {
	now := time.Now()
	out := make([]net.IP, 0, len(ips))
	var dead []net.IP
	for _, ip := range ips {
		if d.isDead(ip, now) {
			dead = append(dead, ip)
		} else {
			out = append(out, ip)
		}
	}
	return append(out, dead...)
}

// goAttempts runs each attempt on a goroutine with a connect function.
type goAttempts struct {
	connect  func(ctx context.Context, ip net.IP, port int, deadline time.Time) (net.Conn, error)
	after    func(time.Duration) <-chan time.Time
	port     int
	deadline time.Time
	ctx      context.Context
	cancel   context.CancelFunc
	results  chan attemptResult
	running  int
}

type attemptResult struct {
	i   int
	c   net.Conn
	err error
}

func newGoAttempts(connect func(context.Context, net.IP, int, time.Time) (net.Conn, error), port int, deadline time.Time) *goAttempts {
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	return &goAttempts{connect: connect, after: time.After, port: port, deadline: deadline,
		ctx: ctx, cancel: cancel, results: make(chan attemptResult)}
}

func (a *goAttempts) start(i int, ip net.IP) {
	a.running++
	go func() {
		c, err := a.connect(a.ctx, ip, a.port, a.deadline)
		a.results <- attemptResult{i, c, err}
	}()
}

func (a *goAttempts) wait(until time.Time) (int, net.Conn, error, bool) {
	select {
	case r := <-a.results:
		a.running--
		return r.i, r.c, r.err, true
	case <-a.after(time.Until(until)):
		return 0, nil, nil, false
	}
}

func (a *goAttempts) close() {
	a.cancel()
	go func(n int) {
		for ; n > 0; n-- {
			if r := <-a.results; r.c != nil {
				r.c.Close()
			}
		}
	}(a.running)
}
