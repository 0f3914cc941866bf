package conn

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

// blockingConn is a TCP connection served by blocking read(2)/write(2) on
// the calling thread instead of Go's network poller. A call that enters the
// library from a C thread runs on a goroutine locked to that thread; with
// the poller every wait for the server would park that thread and need a
// second thread to wake it. A blocking system call waits in the kernel on
// the caller's own thread, like a C client would. Deadlines become
// SO_RCVTIMEO/SO_SNDTIMEO.
type blockingConn struct {
	fd      int
	local   net.Addr
	remote  net.Addr
	mu      sync.Mutex // guards everything below
	readBy  time.Time
	writeBy time.Time
	lastRcv time.Duration // the SO_RCVTIMEO in force, to skip redundant setsockopt
	lastSnd time.Duration
	closed  bool
	inCalls int // read/write system calls in progress
}

func sockaddrToTCP(sa syscall.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]).To16(), Port: a.Port}
	case *syscall.SockaddrInet6:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}
	}
	return &net.TCPAddr{}
}

// setTimeout sets SO_RCVTIMEO/SO_SNDTIMEO to the time left until deadline
// (none when zero) unless about that is already in force.
func (c *blockingConn) setTimeout(opt int, deadline time.Time, last *time.Duration) error {
	var d time.Duration
	if !deadline.IsZero() {
		d = time.Until(deadline)
		if d <= 0 {
			return os.ErrDeadlineExceeded
		}
	}
	// Deadlines move with each request; a timeout within 1/64 of the one
	// in force is close enough and saves a system call per read and write.
	if diff := d - *last; d == *last || d > 0 && *last > 0 && diff < d/64 && -diff < d/64 {
		return nil
	}
	tv := syscall.NsecToTimeval(d.Nanoseconds())
	if err := syscall.SetsockoptTimeval(c.fd, syscall.SOL_SOCKET, opt, &tv); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	*last = d
	return nil
}

// begin starts a system call on the socket: it fails on a closed connection
// or a passed deadline, sets the socket timeout to the time left, and counts
// the call so that Close leaves the descriptor open until end.
func (c *blockingConn) begin(op string, opt int, deadline *time.Time, last *time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return net.ErrClosed
	}
	if err := c.setTimeout(opt, *deadline, last); err != nil {
		return c.opError(op, err)
	}
	c.inCalls++
	return nil
}

// end finishes a system call begun by begin; the last one after Close
// closes the descriptor.
func (c *blockingConn) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inCalls--
	c.closeFDLocked()
}

func (c *blockingConn) closeFDLocked() {
	if c.closed && c.inCalls == 0 && c.fd >= 0 {
		_ = syscall.Close(c.fd)
		c.fd = -1
	}
}

// Read reads once; after a signal (EINTR) begin recomputes the time left.
func (c *blockingConn) Read(p []byte) (int, error) {
	for {
		if err := c.begin("read", syscall.SO_RCVTIMEO, &c.readBy, &c.lastRcv); err != nil {
			return 0, err
		}
		n, err := syscall.Read(c.fd, p)
		c.end()
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return 0, c.opError("read", os.ErrDeadlineExceeded)
		case err != nil:
			return 0, c.opError("read", os.NewSyscallError("read", err))
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// Write writes all of p, as net.Conn requires.
func (c *blockingConn) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		if err := c.begin("write", syscall.SO_SNDTIMEO, &c.writeBy, &c.lastSnd); err != nil {
			return written, err
		}
		n, err := syscall.Write(c.fd, p[written:])
		c.end()
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return written, c.opError("write", os.ErrDeadlineExceeded)
		case err != nil:
			return written, c.opError("write", os.NewSyscallError("write", err))
		}
		written += n
	}
	return written, nil
}

func (c *blockingConn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: c.local, Addr: c.remote, Err: err}
}

// Close shuts the socket down, so that a call blocked in another thread
// returns at once; the descriptor itself is closed when no call uses it, so
// its number cannot be reused under a pending read or write.
func (c *blockingConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	_ = syscall.Shutdown(c.fd, syscall.SHUT_RDWR)
	c.closeFDLocked()
	return nil
}

func (c *blockingConn) LocalAddr() net.Addr  { return c.local }
func (c *blockingConn) RemoteAddr() net.Addr { return c.remote }

func (c *blockingConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	c.readBy, c.writeBy = t, t
	c.mu.Unlock()
	return nil
}

func (c *blockingConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.readBy = t
	c.mu.Unlock()
	return nil
}

func (c *blockingConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	c.writeBy = t
	c.mu.Unlock()
	return nil
}
