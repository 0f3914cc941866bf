package core

import (
	"bufio"
	"net"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

// TestReconnectAheadAfterServerClosedIdle (issue 22, item 3): the server
// closes the kept connections of a client in use; the client reconnects
// to both hosts in the background (TLS resumed), and the next click, for a
// new patient, opens no connection on the caller's path.
func TestReconnectAheadAfterServerClosedIdle(t *testing.T) {
	s, ca := twoHostSandbox(t)
	cl := newClient(t, s, ca+`,"prewarm":false`)
	if _, err := cl.ViewerURL("ACC-1", "12345678901", "10000000146"); err != nil {
		t.Fatal(err)
	}
	s.DropConnections(nil)
	waitFor(t, "a connection to each host, reopened ahead", func() bool {
		c := s.Conns()
		return c["main"].Accepted == 2 && c["api"].Accepted == 2 && c["main"].Open == 1 && c["api"].Open == 1
	})
	if _, err := cl.ViewerURL("ACC-2", "12345678901", "10000000228"); err != nil {
		t.Fatal(err)
	}
	wantConns(t, s, "main", sandbox.ConnStats{Accepted: 2, TLSFull: 1, TLSResumed: 1})
	wantConns(t, s, "api", sandbox.ConnStats{Accepted: 2, TLSFull: 1, TLSResumed: 1})
	if st := s.Stats(); st.TokenRequests != 2 || st.OTACRequests != 2 {
		t.Fatalf("%d token, %d postOTAC requests", st.TokenRequests, st.OTACRequests)
	}
}

// TestReconnectAheadBounded: a server that closes every connection as soon
// as it accepts it gets a bounded number of reconnects ahead (3), then the
// pool stops for a while and says so in the log.
func TestReconnectAheadBounded(t *testing.T) {
	ev := recordEvents(t)
	s := startSandbox(t, sandbox.Options{})
	var accepted atomic.Int32
	api := serveTCP(t, func(c net.Conn) {
		if accepted.Add(1) > 1 {
			c.Close() // at once
			return
		}
		// The first: one answer, then closed as by an idle timeout.
		if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"))
		}
		c.Close()
	})
	cl := newClient(t, s, `"prewarm":false,"api_url":"http://`+api+`"`)
	if _, err := cl.Call("GET", "x", nil); err != nil {
		t.Fatal(err)
	}
	stopped := func() bool {
		return len(ev.names(t, func(m map[string]any) bool {
			return m["event"] == "conn.reconnect_ahead_stopped" && m["host"] == api
		})) == 1
	}
	waitFor(t, "the reconnects ahead to stop", stopped)
	if n := accepted.Load(); n != 1+3 {
		t.Fatalf("%d connections: 1 used, then %d reconnects ahead; want 3", n, n-1)
	}
}

// TestNoReconnectAheadForUnusedClient: a client that only prewarmed (never
// used) does not reconnect when the server closes its spare, though it
// shares its pool with a client in use that does.
func TestNoReconnectAheadForUnusedClient(t *testing.T) {
	unused := startSandbox(t, sandbox.Options{})
	newClient(t, unused, "")
	waitFor(t, "prewarm", func() bool { return unused.Conns()["main"].Open == 1 })
	s := startSandbox(t, sandbox.Options{})
	cl := newClient(t, s, `"prewarm":false`)
	if _, err := cl.ViewerURL("ACC-1", "12345678901", "10000000146"); err != nil {
		t.Fatal(err)
	}
	unused.DropConnections(nil)
	waitFor(t, "the drop", func() bool { return unused.Conns()["main"].Open == 0 })
	// The client in use: each drop is seen and reconnected; two rounds
	// are at least one full look at the unused host's closed spare too.
	for want := 2; want <= 3; want++ {
		s.DropConnections(nil)
		waitFor(t, "a reconnect ahead", func() bool { c := s.Conns()["main"]; return c.Accepted == want && c.Open == 1 })
	}
	if n := unused.Conns()["main"].Accepted; n != 1 {
		t.Fatalf("the unused client reconnected: %d connections", n)
	}
}
