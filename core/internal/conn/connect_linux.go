package conn

import (
	"context"
	"net"
	"time"
)

// connectIP opens a TCP connection served by blocking system calls (see
// blockingConn). A dial that can be cancelled (a warm-up, on a goroutine of
// the pool's own) waits in Go's network poller, so Close ends it at once
// and it holds no thread; a caller's dial waits on the caller's thread.
func connectIP(ctx context.Context, ip net.IP, port int, deadline time.Time) (net.Conn, error) {
	if ctx.Done() != nil {
		return connectPolled(ctx, ip, port, deadline)
	}
	return connectBlocking(ip, port, deadline)
}
