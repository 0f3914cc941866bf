package core

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

// The tests below count on the sandbox's listeners what a click costs in
// connections and TLS handshakes: the WAN figures follow from these counts
// (make bench-wan measures them), never from wall-clock assertions here.

// twoHostSandbox serves OGN on one port and the API and viewer on another,
// over TLS, as the Ministry's separate hosts.
func twoHostSandbox(t *testing.T) (*sandbox.Server, string) {
	t.Helper()
	s := startSandbox(t, sandbox.Options{TLS: true, SeparateAPI: true})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, s.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return s, fmt.Sprintf(`"ca_file":%q`, ca)
}

// waitFor polls cond for up to 10 s (a bound, not a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("waited 10 s for %s", what)
}

func wantConns(t *testing.T, s *sandbox.Server, host string, want sandbox.ConnStats) {
	t.Helper()
	got := s.Conns()[host]
	got.Open = want.Open // open connections are checked where they matter
	if got != want {
		t.Fatalf("%s host: got %+v, want %+v", host, got, want)
	}
}

// clickDuringSlowToken runs a viewer click while the sandbox holds the token
// answer, and fails unless the API host accepts a connection meanwhile (it
// is connected in parallel with the token request).
func clickDuringSlowToken(t *testing.T, s *sandbox.Server, cl *Client, patient string, apiBefore int) {
	t.Helper()
	s.AddFault(sandbox.Fault{Target: "token", Kind: "hold", Count: 1})
	t.Cleanup(s.Release) // never leave a request held: Close would wait for it
	done := make(chan error, 1)
	go func() {
		_, err := cl.ViewerURL("ACC-1", "12345678901", patient)
		done <- err
	}()
	tokens := s.Stats().TokenRequests
	waitFor(t, "the API connection while the token is held", func() bool {
		return s.Stats().TokenRequests > tokens && s.Conns()["api"].Accepted > apiBefore
	})
	s.Release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestColdClickConnectsAPIWhileTokenInFlight(t *testing.T) {
	s, ca := twoHostSandbox(t)
	cl := newClient(t, s, ca+`,"prewarm":false`)
	clickDuringSlowToken(t, s, cl, "10000000146", 0)
	wantConns(t, s, "main", sandbox.ConnStats{Accepted: 1, TLSFull: 1})
	wantConns(t, s, "api", sandbox.ConnStats{Accepted: 1, TLSFull: 1})
	// Another patient at once: token + postOTAC on the kept connections.
	if _, err := cl.ViewerURL("ACC-2", "12345678901", "10000000228"); err != nil {
		t.Fatal(err)
	}
	wantConns(t, s, "main", sandbox.ConnStats{Accepted: 1, TLSFull: 1})
	wantConns(t, s, "api", sandbox.ConnStats{Accepted: 1, TLSFull: 1})
}

func TestPrewarmOneConnectionPerHost(t *testing.T) {
	s, ca := twoHostSandbox(t)
	cl := newClient(t, s, ca)
	waitFor(t, "prewarm", func() bool {
		c := s.Conns()
		return c["main"].TLSFull == 1 && c["api"].TLSFull == 1
	})
	// The first click uses both (the TLS 1.3 session tickets waiting on them
	// do not make them look dead), then the same patient reuses the API one.
	for i := 0; i < 2; i++ {
		if _, err := cl.ViewerURL("ACC-1", "12345678901", "10000000146"); err != nil {
			t.Fatal(err)
		}
	}
	wantConns(t, s, "main", sandbox.ConnStats{Accepted: 1, TLSFull: 1})
	wantConns(t, s, "api", sandbox.ConnStats{Accepted: 1, TLSFull: 1})
	if st := s.Stats(); st.TokenRequests != 1 || st.OTACRequests != 2 {
		t.Fatalf("%d token, %d postOTAC requests", st.TokenRequests, st.OTACRequests)
	}
	cl.Close()
	waitFor(t, "close", func() bool { c := s.Conns(); return c["main"].Open == 0 && c["api"].Open == 0 })
}

func TestCloseStopsPrewarm(t *testing.T) {
	s, ca := twoHostSandbox(t)
	s.AddFault(sandbox.Fault{Target: "any", Kind: "latency", DelayMS: 1, Count: 1}) // nothing should ask
	cl, err := NewFromJSON([]byte(s.ConfigJSON(ca)))
	if err != nil {
		t.Fatal(err)
	}
	cl.Close()
	time.Sleep(300 * time.Millisecond) // let a warm-up in flight finish, if any
	c := s.Conns()
	if c["main"].Accepted > 1 || c["api"].Accepted > 1 {
		t.Fatalf("more than one connection per host: %+v", c)
	}
	waitFor(t, "no connection left open", func() bool { c := s.Conns(); return c["main"].Open == 0 && c["api"].Open == 0 })
	if st := s.Stats(); st.TokenRequests+st.OTACRequests+st.APIRequests != 0 {
		t.Fatalf("prewarm sent requests: %+v", st)
	}
}

// TestReconnectAfterServerClosedIdle: the server dropped the kept
// connections (its idle timeout); the next click opens exactly one new
// connection per host, resumes TLS on both, connects the API host while the
// token is in flight, and no request reaches the server twice.
func TestReconnectAfterServerClosedIdle(t *testing.T) {
	s, ca := twoHostSandbox(t)
	cl := newClient(t, s, ca+`,"prewarm":false`)
	if _, err := cl.ViewerURL("ACC-1", "12345678901", "10000000146"); err != nil {
		t.Fatal(err)
	}
	s.DropConnections(nil)
	waitFor(t, "the drop", func() bool { c := s.Conns(); return c["main"].Open == 0 && c["api"].Open == 0 })
	clickDuringSlowToken(t, s, cl, "10000000228", 1)
	wantConns(t, s, "main", sandbox.ConnStats{Accepted: 2, TLSFull: 1, TLSResumed: 1})
	wantConns(t, s, "api", sandbox.ConnStats{Accepted: 2, TLSFull: 1, TLSResumed: 1})
	if st := s.Stats(); st.TokenRequests != 2 || st.OTACRequests != 2 {
		t.Fatalf("%d token, %d postOTAC requests: one each per click", st.TokenRequests, st.OTACRequests)
	}
}

// TestReconnectAfterServerIdleTimeout: as above, with the server closing
// idle TLS connections itself (close_notify, then FIN), as nginx does.
func TestReconnectAfterServerIdleTimeout(t *testing.T) {
	s := startSandbox(t, sandbox.Options{TLS: true, SeparateAPI: true, IdleTimeout: 300 * time.Millisecond})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, s.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	cl := newClient(t, s, fmt.Sprintf(`"ca_file":%q,"prewarm":false`, ca))
	if _, err := cl.ViewerURL("ACC-1", "12345678901", "10000000146"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the server's idle timeout", func() bool { c := s.Conns(); return c["main"].Open == 0 && c["api"].Open == 0 })
	time.Sleep(150 * time.Millisecond) // the close_notify now waits unread
	clickDuringSlowToken(t, s, cl, "10000000228", 1)
	wantConns(t, s, "main", sandbox.ConnStats{Accepted: 2, TLSFull: 1, TLSResumed: 1})
	wantConns(t, s, "api", sandbox.ConnStats{Accepted: 2, TLSFull: 1, TLSResumed: 1})
}

// TestPostAfterServerClosedIdle: a helper-service POST on a connection the
// server closed while idle is not an error, and reaches the server once.
func TestPostAfterServerClosedIdle(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	cl := newClient(t, s, `"retries":0`)
	for i := 0; i < 2; i++ {
		if _, err := cl.Call("POST", "echo", []byte(`{"n":1}`)); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		s.DropConnections(nil)
		waitFor(t, "the drop", func() bool { return s.Conns()["main"].Open == 0 })
	}
	if n := s.Stats().APIRequests; n != 2 {
		t.Fatalf("%d POSTs reached the server, want 2", n)
	}
}

// TestIdleTimeoutKeepsConnections: idle_timeout_s bounds how long a kept
// connection is reused.
func TestIdleTimeoutKeepsConnections(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	cl := newClient(t, s, `"idle_timeout_s":1,"prewarm":false`)
	click := func() {
		if _, err := cl.ViewerURL("ACC-1", "", ""); err != nil {
			t.Fatal(err)
		}
	}
	click()
	click()
	if n := s.Conns()["main"].Accepted; n != 1 {
		t.Fatalf("%d connections for two clicks at once", n)
	}
	time.Sleep(3 * time.Second) // past the 1 s idle timeout and its cleaner's period
	click()
	if n := s.Conns()["main"].Accepted; n != 2 {
		t.Fatalf("%d connections: the kept one outlived idle_timeout_s", n)
	}
	if DefaultConfig().IdleTimeout != 90*time.Second || !DefaultConfig().Prewarm {
		t.Fatal("defaults: idle_timeout_s 90, prewarm true")
	}
}

// TestUnusedPrewarmExpires: a spare nobody uses is closed after
// idle_timeout_s, like any kept connection.
func TestUnusedPrewarmExpires(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	newClient(t, s, `"idle_timeout_s":1`)
	waitFor(t, "prewarm", func() bool { return s.Conns()["main"].Accepted == 1 })
	waitFor(t, "the unused spare to close", func() bool { return s.Conns()["main"].Open == 0 })
	if n := s.Conns()["main"].Accepted; n != 1 {
		t.Fatalf("%d connections", n)
	}
}
