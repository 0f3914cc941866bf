package conn

import (
	"net"
	"syscall"
	"unsafe"
)

// Windows has no MSG_DONTWAIT, and Go's sockets there are overlapped: a
// plain recv would block. WSAPoll with no wait says whether the socket is
// readable; FIONREAD then tells data (bytes waiting) from FIN (none).
var (
	ws2          = syscall.NewLazyDLL("ws2_32.dll")
	procWSAPoll  = ws2.NewProc("WSAPoll")
	procIoctlSkt = ws2.NewProc("ioctlsocket")
)

type wsaPollFD struct {
	fd      syscall.Handle
	events  int16
	revents int16
}

const (
	pollRdNorm = 0x0100
	pollErr    = 0x0001
	pollHup    = 0x0002
	fionread   = 0x4004667f
)

// peek looks at a TCP connection without reading from it or waiting.
func peek(raw net.Conn) peekResult {
	sc, ok := raw.(syscall.Conn)
	if !ok || procWSAPoll.Find() != nil || procIoctlSkt.Find() != nil {
		return peekUnknown
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return peekClosed
	}
	res := peekUnknown
	err = rc.Control(func(fd uintptr) {
		p := wsaPollFD{fd: syscall.Handle(fd), events: pollRdNorm}
		n, _, _ := procWSAPoll.Call(uintptr(unsafe.Pointer(&p)), 1, 0)
		switch {
		case int32(n) < 0: // SOCKET_ERROR
			return
		case n == 0:
			res = peekEmpty
		case p.revents&(pollErr|pollHup) != 0:
			res = peekClosed
		default:
			var waiting uint32
			if r, _, _ := procIoctlSkt.Call(fd, fionread, uintptr(unsafe.Pointer(&waiting))); r != 0 {
				return
			}
			if waiting == 0 {
				res = peekClosed
			} else {
				res = peekData
			}
		}
	})
	if err != nil {
		return peekClosed
	}
	return res
}

// closedByServer reports a FIN or RST with nothing unread before it (a TLS
// close_notify waiting hides the FIN from a look without reading).
func closedByServer(raw net.Conn) bool { return peek(raw) == peekClosed }
