//go:build !linux

package conn

import (
	"context"
	"net"
	"strconv"
	"time"
)

// connectIP opens a TCP connection to ip:port by the deadline, or until ctx
// ends.
func connectIP(ctx context.Context, ip net.IP, port int, deadline time.Time) (net.Conn, error) {
	d := net.Dialer{Deadline: deadline}
	return d.DialContext(ctx, "tcp", net.JoinHostPort(ip.String(), strconv.Itoa(port)))
}
