//go:build !linux

package conn

import "net"

// peek: no non-blocking, non-consuming look at a socket here (Windows' Go
// sockets are overlapped); the caller reads with a short deadline instead.
func peek(net.Conn) peekResult { return peekUnknown }
