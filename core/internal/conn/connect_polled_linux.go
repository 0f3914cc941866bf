package conn

import (
	"context"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"
)

// connectPolled connects with Go's dialer, which waits in the network poller
// and stops when ctx ends, then hands the socket over to a blockingConn: a
// duplicate of its descriptor, made blocking, outlives the Go connection.
func connectPolled(ctx context.Context, ip net.IP, port int, deadline time.Time) (net.Conn, error) {
	d := net.Dialer{Deadline: deadline}
	nc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ip.String(), strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	defer nc.Close() // closes Go's descriptor only: the duplicate keeps the socket
	raw, err := nc.(*net.TCPConn).SyscallConn()
	if err != nil {
		return nil, err
	}
	fd, dupErr := -1, error(nil)
	if err := raw.Control(func(s uintptr) {
		r, _, e := syscall.Syscall(syscall.SYS_FCNTL, s, syscall.F_DUPFD_CLOEXEC, 0)
		if e != 0 {
			dupErr = os.NewSyscallError("fcntl", e)
			return
		}
		fd = int(r)
	}); err != nil {
		return nil, err
	}
	if dupErr != nil {
		return nil, dupErr
	}
	// The descriptors share the socket's flags; Go's is never used again.
	if err := syscall.SetNonblock(fd, false); err != nil {
		syscall.Close(fd)
		return nil, os.NewSyscallError("fcntl", err)
	}
	return &blockingConn{fd: fd, local: nc.LocalAddr(), remote: nc.RemoteAddr()}, nil
}
