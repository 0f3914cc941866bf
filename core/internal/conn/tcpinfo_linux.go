//go:build linux && !386

package conn

import (
	"syscall"
	"unsafe"
)

// tcpInfo is getsockopt(fd, IPPROTO_TCP, TCP_INFO).
func tcpInfo(fd int) (*syscall.TCPInfo, syscall.Errno) {
	info := new(syscall.TCPInfo)
	size := uint32(unsafe.Sizeof(*info))
	_, _, errno := syscall.Syscall6(syscall.SYS_GETSOCKOPT, uintptr(fd), syscall.IPPROTO_TCP, syscall.TCP_INFO,
		uintptr(unsafe.Pointer(info)), uintptr(unsafe.Pointer(&size)), 0)
	return info, errno
}
