package core

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/teleradyoloji/teleradyoloji/core/internal/logx"
	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

// events records the log events of one test.
type events struct {
	mu  sync.Mutex
	raw []string
}

func recordEvents(t *testing.T) *events {
	t.Helper()
	ev := &events{}
	logx.Set(func(_ logx.Level, b []byte) {
		ev.mu.Lock()
		ev.raw = append(ev.raw, string(b))
		ev.mu.Unlock()
	}, logx.Debug)
	t.Cleanup(func() { logx.Set(nil, logx.Off) })
	return ev
}

func (ev *events) list(t *testing.T) []map[string]any {
	t.Helper()
	ev.mu.Lock()
	defer ev.mu.Unlock()
	var out []map[string]any
	for _, r := range ev.raw {
		var m map[string]any
		if err := json.Unmarshal([]byte(r), &m); err != nil {
			t.Fatalf("an event is not JSON: %v: %s", err, r)
		}
		for _, k := range []string{"event", "level", "message", "time"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("an event without %q: %s", k, r)
			}
		}
		out = append(out, m)
	}
	return out
}

// names lists the events' names in order, keeping those accepted by keep.
func (ev *events) names(t *testing.T, keep func(map[string]any) bool) []string {
	var out []string
	for _, m := range ev.list(t) {
		if keep == nil || keep(m) {
			out = append(out, m["event"].(string))
		}
	}
	return out
}

// noSecrets fails when any event holds one of secrets.
func (ev *events) noSecrets(t *testing.T, secrets ...string) {
	t.Helper()
	ev.mu.Lock()
	defer ev.mu.Unlock()
	for _, r := range ev.raw {
		for _, s := range secrets {
			if s != "" && strings.Contains(r, s) {
				t.Fatalf("a secret (%d chars) appears in an event: %.80s…", len(s), strings.ReplaceAll(r, s, "<secret>"))
			}
		}
	}
}

// subsequence reports whether want appears in got in order.
func subsequence(got, want []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

func TestEventsOfAClick(t *testing.T) {
	ev := recordEvents(t)
	s, ca := twoHostSandbox(t)
	cl := newClient(t, s, ca+`,"prewarm":false`)
	doctor, patient := "12345678901", "98765432109"
	secrets := []string{sandbox.Password, doctor, patient}
	url, err := cl.ViewerURL("ACC-1", doctor, patient)
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, url[strings.Index(url, "otac=")+5:])
	tok, err := cl.ViewerToken(doctor, patient)
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, tok.Value)
	svc, _ := cl.ServiceToken()
	secrets = append(secrets, svc.Value)
	if _, err := cl.ViewerURL("ACC-2", doctor, patient); err != nil {
		t.Fatal(err)
	}
	s.DropConnections(nil)
	waitFor(t, "the drop", func() bool { c := s.Conns(); return c["main"].Open == 0 && c["api"].Open == 0 })
	if _, err := cl.ViewerURL("ACC-3", doctor, "10000000146"); err != nil {
		t.Fatal(err)
	}
	ogn := hostOf(s.URL())
	onOGN := func(m map[string]any) bool { return m["host"] == ogn || m["kind"] == "viewer" && m["host"] == nil }
	got := ev.names(t, onOGN)
	for _, w := range [][]string{
		{"conn.opened", "tls.handshake", "token.fetched", "token.cache_hit"},
		{"token.fetched", "conn.reused"},
		{"tls.handshake", "tls.resumed", "token.fetched"},
	} {
		if !subsequence(got, w) {
			t.Errorf("OGN events %v do not hold %v in order", got, w)
		}
	}
	all := ev.names(t, nil)
	for _, name := range []string{"client.created", "conn.opened", "tls.handshake", "tls.resumed", "conn.reused",
		"token.fetched", "token.cache_hit", "otac.issued", "http.exchange"} {
		if !subsequence(all, []string{name}) {
			t.Errorf("no %s event in %v", name, all)
		}
	}
	if testing.Verbose() {
		for _, r := range ev.raw {
			t.Log(r)
		}
	}
	for _, m := range ev.list(t) {
		if m["event"] == "token.fetched" && m["kind"] == "viewer" && m["doctor"] != "123******01" {
			t.Errorf("doctor shown as %v, want 123******01", m["doctor"])
		}
	}
	ev.noSecrets(t, secrets...)
}

func TestEventsOfFailures(t *testing.T) {
	ev := recordEvents(t)
	s := startSandbox(t, sandbox.Options{})
	cl := newClient(t, s, `"prewarm":false`)
	s.AddFault(sandbox.Fault{Target: "token", Kind: "status", Status: 503, Count: 1})
	tok, err := cl.ServiceToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Call("GET", "status/404", nil); err == nil {
		t.Fatal("status/404 answered")
	}
	wrong := "Yanlis-Parola-77!"
	bad, err := NewFromJSON([]byte(strings.Replace(s.ConfigJSON(`"prewarm":false`), sandbox.Password, wrong, 1)))
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if _, err := bad.ServiceToken(); StatusOf(err) != AuthError {
		t.Fatalf("wrong password: %v", err)
	}
	s.Revoke()
	if _, err := cl.Call("GET", "echo?tc=12345678901", nil); err != nil {
		t.Fatal(err)
	}
	var retry, refused, rejected, call map[string]any
	for _, m := range ev.list(t) {
		switch m["event"] {
		case "http.retry":
			retry = m
		case "token.refused":
			refused = m
		case "token.rejected":
			rejected = m
		case "call.done":
			call = m
		}
	}
	if retry == nil || retry["attempt"] != 1.0 || retry["status"] != 503.0 || retry["level"] != float64(logx.Warn) {
		t.Errorf("http.retry: %v", retry)
	}
	if refused == nil || refused["server_error"] != "invalid_grant" || refused["level"] != float64(logx.Error) {
		t.Errorf("token.refused: %v", refused)
	}
	if rejected == nil || rejected["retry"] != true {
		t.Errorf("token.rejected: %v", rejected)
	}
	if call == nil || call["status"] != 200.0 || call["path"] != "echo" {
		t.Errorf("call.done: %v", call)
	}
	ev.noSecrets(t, sandbox.Password, wrong, tok.Value, "12345678901")
}

func TestNoEventsWhenOff(t *testing.T) {
	ev := recordEvents(t)
	logx.SetLevel(logx.Off)
	s := startSandbox(t, sandbox.Options{})
	cl := newClient(t, s, "")
	if _, err := cl.ViewerURL("ACC-1", "", ""); err != nil {
		t.Fatal(err)
	}
	if n := len(ev.list(t)); n != 0 {
		t.Fatalf("%d events with logging off", n)
	}
}
