package conn

import (
	"net"
	"syscall"
)

// peek looks at a TCP connection without reading from it or waiting.
func peek(raw net.Conn) peekResult {
	return onFD(raw, peekFD)
}

// closedByServer reports that the server closed raw (FIN or RST), even
// with bytes still unread before the FIN (a TLS close_notify): the kernel's
// TCP state says so.
func closedByServer(raw net.Conn) bool {
	return onFD(raw, func(fd int) peekResult {
		info, errno := tcpInfo(fd)
		if errno != 0 {
			return peekFD(fd)
		}
		switch info.State {
		case tcpEstablished:
			return peekEmpty
		case tcpCloseWait, tcpClose, tcpLastAck:
			return peekClosed
		}
		return peekFD(fd)
	}) == peekClosed
}

// TCP states of Linux's tcp_info (include/net/tcp_states.h).
const (
	tcpEstablished = 1
	tcpClose       = 7
	tcpCloseWait   = 8
	tcpLastAck     = 9
)

// onFD runs look on raw's descriptor, kept open meanwhile.
func onFD(raw net.Conn, look func(fd int) peekResult) peekResult {
	if bc, ok := raw.(*blockingConn); ok {
		return bc.onFD(look)
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
	if err := rc.Control(func(fd uintptr) { res = look(int(fd)) }); err != nil {
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

// onFD on a blockingConn keeps the descriptor open while it is used.
func (c *blockingConn) onFD(look func(fd int) peekResult) peekResult {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return peekClosed
	}
	c.inCalls++
	c.mu.Unlock()
	defer c.end()
	return look(c.fd)
}
