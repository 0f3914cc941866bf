package conn

import (
	"runtime"
	"syscall"
	"unsafe"
)

// sysGetsockopt is getsockopt's call number in socketcall(2): 32-bit x86
// Linux has no getsockopt system call before 4.3, only the multiplexer.
const sysGetsockopt = 15

// tcpInfo is getsockopt(fd, IPPROTO_TCP, TCP_INFO), through socketcall.
// info and size are on the heap (never moved) and kept alive over the call:
// their addresses travel inside args, not as the call's own arguments.
func tcpInfo(fd int) (*syscall.TCPInfo, syscall.Errno) {
	info := new(syscall.TCPInfo)
	size := new(uint32)
	*size = uint32(unsafe.Sizeof(*info))
	args := [5]uintptr{uintptr(fd), syscall.IPPROTO_TCP, syscall.TCP_INFO,
		uintptr(unsafe.Pointer(info)), uintptr(unsafe.Pointer(size))}
	_, _, errno := syscall.Syscall(syscall.SYS_SOCKETCALL, sysGetsockopt, uintptr(unsafe.Pointer(&args)), 0)
	runtime.KeepAlive(info)
	runtime.KeepAlive(size)
	return info, errno
}
