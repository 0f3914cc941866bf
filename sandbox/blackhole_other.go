//go:build !linux

package sandbox

import (
	"io"
	"net"
)

// Blackhole is a loopback address whose connections are never answered.
// Outside Linux the backlog trick is not portable: connections are accepted
// and then never answered, so a client times out reading instead.
func Blackhole() (addr string, stop io.Closer, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	return ln.Addr().String(), ln, nil
}
