package core

import (
	"os"
	"strings"
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
	for _, s := range append(secrets, sandbox.Password) {
		if s != "" && strings.Contains(text, s) {
			t.Fatalf("a secret appears in the error: %s", text)
		}
	}
	return err.(*Error)
}
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
