package conn

import (
	"net"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// pollAttempts connects non-blocking sockets and waits for them with one
// ppoll(2) on the caller's thread: the racing addresses need no goroutine,
// and a call from a C thread waits in the kernel, as its reads and writes
// do (see blockingConn). The winner becomes a blocking socket.
type pollAttempts struct {
	port     int
	fds      map[int]int // attempt → socket whose connect is in progress
	ips      map[int]net.IP
	finished []attemptResult // attempts that ended when started
}

func newAttempts(port int, deadline time.Time) attempts {
	return &pollAttempts{port: port, fds: map[int]int{}, ips: map[int]net.IP{}}
}

func (a *pollAttempts) start(i int, ip net.IP) {
	family, sa := sockaddrOf(ip, a.port)
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC|syscall.SOCK_NONBLOCK, syscall.IPPROTO_TCP)
	if err != nil {
		a.finished = append(a.finished, attemptResult{i, nil, a.dialError(ip, os.NewSyscallError("socket", err))})
		return
	}
	_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1)
	switch err := syscall.Connect(fd, sa); err {
	case nil:
		a.finished = append(a.finished, a.connected(i, fd, ip))
	case syscall.EINPROGRESS, syscall.EINTR: // either way the kernel goes on connecting
		a.fds[i], a.ips[i] = fd, ip
	default:
		syscall.Close(fd)
		a.finished = append(a.finished, attemptResult{i, nil, a.dialError(ip, os.NewSyscallError("connect", err))})
	}
}

// pollFd is struct pollfd.
type pollFd struct {
	fd      int32
	events  int16
	revents int16
}

const pollOut = 0x4

func (a *pollAttempts) wait(until time.Time) (int, net.Conn, error, bool) {
	for {
		if len(a.finished) > 0 {
			r := a.finished[0]
			a.finished = a.finished[1:]
			return r.i, r.c, r.err, true
		}
		left := time.Until(until)
		if left <= 0 || len(a.fds) == 0 {
			return 0, nil, nil, false
		}
		pfds := make([]pollFd, 0, len(a.fds))
		attempt := make([]int, 0, len(a.fds))
		for i, fd := range a.fds {
			pfds = append(pfds, pollFd{fd: int32(fd), events: pollOut})
			attempt = append(attempt, i)
		}
		ts := syscall.NsecToTimespec(left.Nanoseconds())
		_, _, e := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&pfds[0])), uintptr(len(pfds)),
			uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		if e != 0 && e != syscall.EINTR {
			i := attempt[0]
			syscall.Close(a.fds[i])
			delete(a.fds, i)
			return i, nil, a.dialError(a.ips[i], os.NewSyscallError("ppoll", e)), true
		}
		for k, p := range pfds {
			if p.revents == 0 {
				continue
			}
			i, fd := attempt[k], int(p.fd)
			delete(a.fds, i)
			soErr, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_ERROR)
			switch {
			case err != nil:
				syscall.Close(fd)
				a.finished = append(a.finished, attemptResult{i, nil, a.dialError(a.ips[i], os.NewSyscallError("getsockopt", err))})
			case soErr != 0:
				syscall.Close(fd)
				a.finished = append(a.finished, attemptResult{i, nil, a.dialError(a.ips[i], os.NewSyscallError("connect", syscall.Errno(soErr)))})
			default:
				a.finished = append(a.finished, a.connected(i, fd, a.ips[i]))
			}
		}
	}
}

// connected makes the connected socket fd a blockingConn.
func (a *pollAttempts) connected(i, fd int, ip net.IP) attemptResult {
	if err := syscall.SetNonblock(fd, false); err != nil {
		syscall.Close(fd)
		return attemptResult{i, nil, a.dialError(ip, os.NewSyscallError("fcntl", err))}
	}
	c := &blockingConn{fd: fd, remote: &net.TCPAddr{IP: ip, Port: a.port}}
	if lsa, err := syscall.Getsockname(fd); err == nil {
		c.local = sockaddrToTCP(lsa)
	}
	return attemptResult{i, c, nil}
}

func (a *pollAttempts) dialError(ip net.IP, err error) error {
	return &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: ip, Port: a.port}, Err: err}
}

// close closes the sockets still connecting and the winners nobody took.
func (a *pollAttempts) close() {
	for _, fd := range a.fds {
		syscall.Close(fd)
	}
	a.fds = nil
	for _, r := range a.finished {
		if r.c != nil {
			r.c.Close()
		}
	}
	a.finished = nil
}

// sockaddrOf is ip:port as the socket calls take it.
func sockaddrOf(ip net.IP, port int) (int, syscall.Sockaddr) {
	if ip4 := ip.To4(); ip4 != nil {
		s := &syscall.SockaddrInet4{Port: port}
		copy(s.Addr[:], ip4)
		return syscall.AF_INET, s
	}
	s := &syscall.SockaddrInet6{Port: port}
	copy(s.Addr[:], ip.To16())
	return syscall.AF_INET6, s
}
