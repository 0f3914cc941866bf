package sandbox

import (
	"crypto/tls"
	"net"
	"sync"
)

// ConnStats counts the connections one listener accepted: tests assert on
// them how a client dials, reuses and resumes.
type ConnStats struct {
	Accepted   int `json:"accepted"`    // TCP connections accepted
	Open       int `json:"open"`        // still open
	TLSFull    int `json:"tls_full"`    // TLS handshakes with a full key exchange
	TLSResumed int `json:"tls_resumed"` // TLS handshakes that resumed a session
}

// countingListener counts accepted connections and keeps the open ones, so
// that DropConnections can close them as a server's idle timeout would.
type countingListener struct {
	net.Listener
	name string
	s    *Server
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, l: l}
	l.s.connMu.Lock()
	st := l.s.connStatsLocked(l.name)
	st.Accepted++
	st.Open++
	l.s.open[tc] = l.name
	l.s.connMu.Unlock()
	return tc, nil
}

type trackedConn struct {
	net.Conn
	l    *countingListener
	once sync.Once
}

// Unwrap is the connection tracked.
func (c *trackedConn) Unwrap() net.Conn { return c.Conn }

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		s := c.l.s
		s.connMu.Lock()
		if _, ok := s.open[c]; ok {
			delete(s.open, c)
			s.connStatsLocked(c.l.name).Open--
		}
		s.connMu.Unlock()
	})
	return c.Conn.Close()
}

// listen wraps ln to count its connections under name, with TLS when cert
// is given; resumed and full handshakes are counted apart.
func (s *Server) listen(ln net.Listener, name string, cert *tls.Certificate) net.Listener {
	var out net.Listener = &countingListener{Listener: ln, name: name, s: s}
	if cert != nil {
		out = tls.NewListener(out, &tls.Config{
			Certificates: []tls.Certificate{*cert},
			MinVersion:   tls.VersionTLS12,
			VerifyConnection: func(cs tls.ConnectionState) error {
				s.connMu.Lock()
				st := s.connStatsLocked(name)
				if cs.DidResume {
					st.TLSResumed++
				} else {
					st.TLSFull++
				}
				s.connMu.Unlock()
				return nil
			},
		})
	}
	return out
}

func (s *Server) connStatsLocked(name string) *ConnStats {
	st := s.conns[name]
	if st == nil {
		st = &ConnStats{}
		s.conns[name] = st
	}
	return st
}

// Conns returns the connection counters per listener: "main" (URL) and,
// with Options.SeparateAPI, "api" (APIURL). Reset does not clear them.
func (s *Server) Conns() map[string]ConnStats {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	out := make(map[string]ConnStats, len(s.conns))
	for k, v := range s.conns {
		out[k] = *v
	}
	return out
}

// DropConnections closes every open connection, as a server whose idle
// timeout has passed does (the client sees FIN); except keeps one open.
func (s *Server) DropConnections(except net.Conn) int {
	s.connMu.Lock()
	var drop []*trackedConn
	for c := range s.open {
		if except == nil || c.RemoteAddr().String() != except.RemoteAddr().String() {
			drop = append(drop, c)
		}
	}
	s.connMu.Unlock()
	for _, c := range drop {
		c.Close()
	}
	return len(drop)
}
