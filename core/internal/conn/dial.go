package conn

import (
	"context"
	"net"
	"strconv"
	"time"
)

// minAddrTime is the least time one address gets when several share the
// deadline (as in Go's net.Dialer): one unreachable address never eats the
// whole call, and a slow but live one still has a fair chance.
const minAddrTime = 2 * time.Second

// dialTCP connects to host:port directly, trying each resolved address in
// turn within its share of the time left; ctx ending stops it.
func (p *Pool) dialTCP(ctx context.Context, addr string, deadline time.Time) (net.Conn, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port <= 0 || port > 65535 {
		return nil, &net.AddrError{Err: "bad port", Addr: addr}
	}
	ips, err := p.dns.resolve(ctx, host, deadline)
	if err != nil {
		return nil, err
	}
	var firstErr error
	for i, ip := range ips {
		c, err := p.connect(ctx, ip, port, shareOf(time.Now(), deadline, len(ips)-i))
		if err == nil {
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if !time.Now().Before(deadline) {
			break
		}
	}
	return nil, firstErr
}

// shareOf is the deadline for one of n remaining addresses.
func shareOf(now, deadline time.Time, n int) time.Time {
	left := deadline.Sub(now)
	share := left / time.Duration(n)
	if share < minAddrTime {
		share = min(minAddrTime, left)
	}
	return now.Add(share)
}
