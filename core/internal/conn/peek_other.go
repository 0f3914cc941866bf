//go:build !linux && !windows

package conn

import "net"

// peek: no look without reading here; the caller reads with a short
// deadline instead.
func peek(net.Conn) peekResult { return peekUnknown }

// closedByServer: nothing to look at without reading here.
func closedByServer(net.Conn) bool { return false }
