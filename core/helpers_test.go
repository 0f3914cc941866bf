package core

import (
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

// startSandbox runs a sandbox for one test.
func startSandbox(t testing.TB, opts sandbox.Options) *sandbox.Server {
	t.Helper()
	s, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newClient is a client of s with extra config members (raw JSON).
func newClient(t testing.TB, s *sandbox.Server, extra string) *Client {
	t.Helper()
	c, err := NewFromJSON([]byte(s.ConfigJSON(extra)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// wantStatus fails unless err has status want; it also checks that no
// secret appears in the error text.
func wantStatus(t testing.TB, err error, want Status, secrets ...string) *Error {
	t.Helper()
	if StatusOf(err) != want {
		t.Fatalf("got %v (%s), want %s", err, StatusOf(err).Name(), want.Name())
	}
	if err == nil {
		return nil
	}
	text := err.Error() + string(ErrorJSON(err))
	checkTurkish(t, err)
	for _, s := range append(secrets, sandbox.Password) {
		if s != "" && strings.Contains(text, s) {
			t.Fatalf("a secret appears in the error: %s", text)
		}
	}
	return err.(*Error)
}

// checkTurkish fails unless err's JSON has a Turkish message_tr of its own.
func checkTurkish(t testing.TB, err error) {
	t.Helper()
	var m map[string]any
	if jerr := json.Unmarshal(ErrorJSON(err), &m); jerr != nil {
		t.Fatalf("error JSON: %v", jerr)
	}
	tr, _ := m["message_tr"].(string)
	if tr == "" || tr == m["message"] {
		t.Fatalf("no Turkish message in %v", m)
	}
	turkishSeen.Store(tr, StatusOf(err))
}

// turkishSeen collects every Turkish message the tests produced.
var turkishSeen sync.Map

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
