package conn

import (
	"net"
	"syscall"
)

// peek looks at a TCP connection without reading from it or waiting.
func peek(raw net.Conn) peekResult {
	if bc, ok := raw.(*blockingConn); ok {
		return bc.peek()
	}
	sc, ok := raw.(syscall.Conn)
	if !ok {
		return peekUnknown
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return peekClosed
	}
	res := peekUnknown
	if err := rc.Control(func(fd uintptr) { res = peekFD(int(fd)) }); err != nil {
		return peekClosed
	}
	return res
}

// peekFD: recv(MSG_PEEK|MSG_DONTWAIT) of one byte. 0 bytes is the server's
// FIN, EAGAIN an open connection with nothing waiting.
func peekFD(fd int) peekResult {
	var b [1]byte
	for {
		n, _, err := syscall.Recvfrom(fd, b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return peekEmpty
		case err != nil || n == 0:
			return peekClosed
		}
		return peekData
	}
}

// peek on a blockingConn keeps the descriptor open while it is used.
func (c *blockingConn) peek() peekResult {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return peekClosed
	}
	c.inCalls++
	c.mu.Unlock()
	defer c.end()
	return peekFD(c.fd)
}
