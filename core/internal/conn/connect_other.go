//go:build !linux

package conn

import (
	"context"
	"net"
	"strconv"
	"time"
)

// newAttempts: each attempt dials on a goroutine with Go's dialer.
func newAttempts(port int, deadline time.Time) attempts {
	return newGoAttempts(connectIP, port, deadline)
}

// connectIP opens a TCP connection to ip:port by the deadline.
func connectIP(ctx context.Context, ip net.IP, port int, deadline time.Time) (net.Conn, error) {
	d := net.Dialer{Deadline: deadline}
	return d.DialContext(ctx, "tcp", net.JoinHostPort(ip.String(), strconv.Itoa(port)))
}
