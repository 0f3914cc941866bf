//go:build !linux

package conn

import (
	"net"
	"strconv"
	"time"
)

// connectIP opens a TCP connection to ip:port by the deadline.
func connectIP(ip net.IP, port int, deadline time.Time) (net.Conn, error) {
	d := net.Dialer{Deadline: deadline}
	return d.Dial("tcp", net.JoinHostPort(ip.String(), strconv.Itoa(port)))
}
