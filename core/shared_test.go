package core

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

// TestThousandClientsShareConnections (issue 22, item 1): 1,000 clients of
// one process (one per institution; the sandbox knows one set of
// credentials, so theirs are equal here, but each keeps its own tokens) to one OGN and one API host, each opening one study,
// keep one connection per host: one full TLS handshake per host, no
// connection per client. Tokens stay per client. Closing 999 of them leaves
// the last one working on the kept connections.
func TestThousandClientsShareConnections(t *testing.T) {
	s, ca := twoHostSandbox(t)
	const n = 1000
	clients := make([]*Client, n)
	for i := range clients {
		clients[i] = newClient(t, s, ca)
	}
	waitFor(t, "prewarm", func() bool { c := s.Conns(); return c["main"].Accepted >= 1 && c["api"].Accepted >= 1 })
	for i, cl := range clients {
		if _, err := cl.ViewerURL("ACC-1", "12345678901", fmt.Sprint(int64(10000000000)+int64(i))); err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
	}
	c := s.Conns()
	t.Logf("%d clients, one click each: OGN %+v, API %+v", n, c["main"], c["api"])
	for _, host := range []string{"main", "api"} {
		// One kept connection per host; the bound allows one spare more.
		if got := c[host]; got.Accepted > 2 || got.Open > 2 || got.TLSFull != 1 {
			t.Fatalf("%s host: %+v; want at most 2 connections, 1 full TLS handshake", host, got)
		}
	}
	if st := s.Stats(); st.ViewerTokenRequests != n || st.OTACRequests != n {
		t.Fatalf("%d viewer tokens, %d postOTAC for %d clients: tokens are per client", st.ViewerTokenRequests, st.OTACRequests, n)
	}
	for _, cl := range clients[:n-1] {
		cl.Close()
	}
	before := s.Conns()
	if _, err := clients[n-1].ViewerURL("ACC-2", "12345678901", "10000000146"); err != nil {
		t.Fatal(err)
	}
	if after := s.Conns(); after["main"].Accepted != before["main"].Accepted || after["api"].Accepted != before["api"].Accepted {
		t.Fatalf("the last client reconnected after 999 others closed: %+v -> %+v", before, after)
	}
}

// TestTransportSharing: a client with other credentials shares the
// transport; another ca_file (contents, not path) or proxy does not.
func TestTransportSharing(t *testing.T) {
	s, ca := twoHostSandbox(t)
	a := newClient(t, s, ca+`,"prewarm":false`)
	b := newClient(t, s, ca+`,"prewarm":false,"institution_code":"7654321","password":"other-password"`)
	if a.conns != b.conns || a.http != b.http {
		t.Fatal("clients with equal transport settings do not share")
	}
	samePEM := filepath.Join(t.TempDir(), "same.pem")
	otherPEM := filepath.Join(t.TempDir(), "other.pem")
	pem := s.CACertPEM()
	if os.WriteFile(samePEM, pem, 0o600) != nil || os.WriteFile(otherPEM, append(append([]byte{}, pem...), pem...), 0o600) != nil {
		t.Fatal("cannot write the CA files")
	}
	if c := newClient(t, s, fmt.Sprintf(`"ca_file":%q,"prewarm":false`, samePEM)); c.conns != a.conns {
		t.Fatal("the same CA in another file does not share")
	}
	other := newClient(t, s, fmt.Sprintf(`"ca_file":%q,"prewarm":false`, otherPEM))
	proxied := newClient(t, s, ca+`,"prewarm":false,"proxy":"http://127.0.0.1:9"`)
	ua := newClient(t, s, ca+`,"prewarm":false,"user_agent":"other"`)
	for name, c := range map[string]*Client{"ca_file": other, "proxy": proxied, "user_agent": ua} {
		if c.conns == a.conns || c.http == a.http {
			t.Fatalf("clients with another %s share", name)
		}
	}
	// On the wire: a's connections, and other's own.
	for _, c := range []*Client{a, other} {
		if _, err := c.ViewerURL("ACC-1", "12345678901", "10000000146"); err != nil {
			t.Fatal(err)
		}
	}
	wantConns(t, s, "main", sandbox.ConnStats{Accepted: 2, TLSFull: 2})
	wantConns(t, s, "api", sandbox.ConnStats{Accepted: 2, TLSFull: 2})
}

// TestSharedPoolHidesProxyPassword: clients that share a transport through
// a proxy share its password (the proxy is part of the key); with the
// first client closed, the second one's connection log still hides it, and
// a client with another proxy password has its own pool.
func TestSharedPoolHidesProxyPassword(t *testing.T) {
	ev := recordEvents(t)
	s, cfg := proxiedSandbox(t, "")
	const passA, passB = "Vekil-Sifre-A1", "Vekil-Sifre-B2"
	addr, tunnels, _ := connectProxy(t, "hbys", passB, strings.TrimPrefix(s.URL(), "https://"))
	a := clientOf(t, cfg("http://hbys:"+passB+"@"+addr))
	b := clientOf(t, cfg("http://hbys:"+passB+"@"+addr))
	other := clientOf(t, cfg("http://hbys:"+passA+"@"+addr))
	if a.conns != b.conns || other.conns == a.conns {
		t.Fatal("sharing must follow the proxy setting, password included")
	}
	a.Close()
	if _, err := b.ServiceToken(); err != nil || tunnels.Load() == 0 {
		t.Fatalf("through the shared pool: %v, %d tunnels", err, tunnels.Load())
	}
	_, err := other.ServiceToken() // the proxy refuses passA (407)
	wantStatus(t, err, NetworkError, passA, passB)
	ev.mu.Lock()
	defer ev.mu.Unlock()
	for _, line := range ev.raw {
		if strings.Contains(line, passA) || strings.Contains(line, passB) {
			t.Fatal("a proxy password in the log")
		}
	}
}

// TestCloseKeepsOthersWarmUp: a client closed at once after it was made
// does not end the warm-up that the next client of its transport relies on;
// that client's first click uses the prewarmed connections.
func TestCloseKeepsOthersWarmUp(t *testing.T) {
	s, ca := twoHostSandbox(t)
	a, err := NewFromJSON([]byte(s.ConfigJSON(ca)))
	if err != nil {
		t.Fatal(err)
	}
	b := newClient(t, s, ca)
	a.Close()
	waitFor(t, "prewarm", func() bool { c := s.Conns(); return c["main"].Open == 1 && c["api"].Open == 1 })
	if _, err := b.ViewerURL("ACC-1", "12345678901", "10000000146"); err != nil {
		t.Fatal(err)
	}
	wantConns(t, s, "main", sandbox.ConnStats{Accepted: 1, TLSFull: 1})
	wantConns(t, s, "api", sandbox.ConnStats{Accepted: 1, TLSFull: 1})
}
