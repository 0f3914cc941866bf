//go:build !linux

package core

import (
	"net"
	"time"

	"github.com/valyala/fasthttp"
)

// dialTimeout dials TCP within the time left for the call.
func dialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	return fasthttp.DialTimeout(addr, timeout)
}
