package core

import (
	"net"
	"time"
)

// dialTimeout dials TCP within the time left for the call (see blockingConn).
func dialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	return dialBlocking(addr, timeout)
}
