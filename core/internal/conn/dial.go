package conn

import (
	"net"
	"strconv"
	"time"
)

// dialTCP connects to host:port directly: the host's addresses race (see
// race), each within the deadline.
func (p *Pool) dialTCP(addr string, deadline time.Time) (net.Conn, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port <= 0 || port > 65535 {
		return nil, &net.AddrError{Err: "bad port", Addr: addr}
	}
	ips, err := p.dns.resolve(host, deadline)
	if err != nil {
		return nil, err
	}
	return p.race(ips, port, deadline)
}
