package conn

import (
	"net"
	"time"
)

// connectIP opens a TCP connection served by blocking system calls on the
// caller's thread (see blockingConn).
func connectIP(ip net.IP, port int, deadline time.Time) (net.Conn, error) {
	return connectBlocking(ip, port, deadline)
}
