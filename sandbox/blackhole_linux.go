package sandbox

import (
	"fmt"
	"io"
	"net"
	"syscall"
)

// Blackhole is a loopback address whose connections are never answered:
// a listening socket with a backlog of 0 whose one queued connection (ours)
// is never accepted, so the kernel drops every further SYN, as a firewall
// that drops packets does. A client's connect times out.
func Blackhole() (addr string, stop io.Closer, err error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return "", nil, err
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return "", nil, err
	}
	if err := syscall.Listen(fd, 0); err != nil {
		syscall.Close(fd)
		return "", nil, err
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return "", nil, err
	}
	addr = fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	filler, err := net.Dial("tcp", addr) // fills the accept queue
	if err != nil {
		syscall.Close(fd)
		return "", nil, err
	}
	return addr, closerFunc(func() error {
		filler.Close()
		return syscall.Close(fd)
	}), nil
}
