package core

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

// Findings of a hostile-server and ABI review; each test failed before its fix.

// A POST that may have reached the server is not retryable; a request that
// provably never left is resent whatever its method (see conns_test.go).
func TestMaybeSentPostIsNotRetryable(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	cl := newClient(t, s, `"prewarm":false`)
	if _, err := cl.ServiceToken(); err != nil {
		t.Fatal(err)
	}
	s.AddFault(sandbox.Fault{Target: "api", Kind: "close", Count: 1})
	_, err := cl.Call("POST", "echo", []byte(`{}`))
	if e := wantStatus(t, err, NetworkError); e.Retryable {
		t.Fatalf("a POST the server may have acted on says retryable: %+v", e)
	}
	if n := s.Stats().APIRequests; n != 1 {
		t.Fatalf("the POST reached the server %d times", n)
	}
	s.AddFault(sandbox.Fault{Target: "api", Kind: "close", Count: 1})
	if _, err := cl.Call("GET", "echo", nil); err != nil {
		t.Fatalf("a GET is resent after a lost answer: %v", err)
	}
}

// More calls at once than fasthttp's 512 connections per host: the extra
// ones wait for a connection within timeout_ms instead of failing at once.
func TestMoreThan512ConcurrentCalls(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	cl := newClient(t, s, `"timeout_ms":20000,"retries":0`)
	if _, err := cl.ServiceToken(); err != nil {
		t.Fatal(err)
	}
	// Each answer closes its connection: a waiter gets a fresh dial (where
	// fasthttp gave the dial hook no time at all).
	s.AddFault(sandbox.Fault{Target: "api", Kind: "answer_close", DelayMS: 300, Count: 0})
	const n = 600
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := cl.Call("GET", "echo", nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("one of %d concurrent calls failed: %v", n, err)
		}
	}
}

// After a 401, when the fresh token cannot be fetched, Call fails with that
// error and hands back no result (outputs stay empty on failure).
func TestCallResultEmptyWhenRefreshFails(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	cl := newClient(t, s, `"retries":0`)
	if _, err := cl.Call("GET", "echo", nil); err != nil {
		t.Fatal(err)
	}
	s.AddFault(sandbox.Fault{Target: "api", Kind: "unauthorized", Count: 1})
	s.AddFault(sandbox.Fault{Target: "token", Kind: "status", Status: 503, Count: 1})
	res, err := cl.Call("GET", "echo", nil)
	wantStatus(t, err, HTTPError)
	if res.HTTPStatus != 0 || res.Body != nil {
		t.Fatalf("result filled on a failed refresh: %d %q", res.HTTPStatus, res.Body)
	}
	// A 401 that persists after the one refresh still carries the answer.
	s.AddFault(sandbox.Fault{Target: "api", Kind: "unauthorized", Count: 2})
	res, err = cl.Call("GET", "echo", nil)
	if e := wantStatus(t, err, HTTPError); e.HTTPStatus != 401 || res.HTTPStatus != 401 || len(res.Body) == 0 {
		t.Fatalf("persisting 401: %+v, result %d %q", e, res.HTTPStatus, res.Body)
	}
}

func TestConfigRefusesWhatCannotWork(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := mkfifo(fifo); err != nil {
		t.Fatal(err)
	}
	base := `"institution_code":"1","password":"p","application_code":"a"`
	cases := map[string]string{
		"https proxy":             `"proxy":"https://proxy.example:3128"`,
		"ca_file FIFO":            fmt.Sprintf(`"ca_file":%q`, fifo),
		"ca_file endless":         `"ca_file":"/dev/zero"`,
		"ca_file directory":       fmt.Sprintf(`"ca_file":%q`, dir),
		"raw control in a string": "\"user_agent\":\"a\x01b\"",
		"number 00":               `"retries":00`,
		"max_response_bytes 1GiB": `"max_response_bytes":1073741824`,
		"cache of a million":      `"viewer_token_cache_size":1000000`,
		"not UTF-8":               "\"user_agent\":\"\xff\"",
	}
	for name, extra := range cases {
		done := make(chan error, 1)
		go func() {
			_, err := NewFromJSON([]byte("{" + base + "," + extra + "}"))
			done <- err
		}()
		select {
		case err := <-done:
			if StatusOf(err) != ConfigError {
				t.Errorf("%s: got %v, want TRL_E_CONFIG", name, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: trl_client_new blocked", name)
		}
	}
	ok := `{` + base + `,"max_response_bytes":67108864,"viewer_token_cache_size":100000}`
	if _, err := NewFromJSON([]byte(ok)); err != nil {
		t.Fatalf("64 MiB and 100,000 tokens refused: %v", err)
	}
}

// Text that is not UTF-8 is refused where it enters, never turned into
// U+FFFD (the server would receive another accession).
func TestNonUTF8Refused(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	cl := newClient(t, s, "")
	bad := "ACC-\xff\xfe"
	for name, call := range map[string]func() error{
		"accession":   func() error { _, err := cl.ViewerURL(bad, "", ""); return err },
		"doctor":      func() error { _, err := cl.ViewerURL("ACC-1", "1234567890\xff", ""); return err },
		"patient":     func() error { _, err := cl.ViewerToken("", bad); return err },
		"post_otac":   func() error { _, err := cl.PostOTAC("tok", bad); return err },
		"token":       func() error { _, err := cl.PostOTAC("tok\r\nX: y", "ACC-1"); return err },
		"call path":   func() error { _, err := cl.Call("GET", "echo/\xff", nil); return err },
		"call body":   func() error { _, err := cl.Call("POST", "echo", []byte("\"\xff\"")); return err },
		"call body 2": func() error { _, err := cl.Call("POST", "echo", []byte(`{"n":00}`)); return err },
	} {
		if err := call(); StatusOf(err) != InvalidArgument {
			t.Errorf("%s: got %v, want TRL_E_INVALID_ARGUMENT", name, err)
		}
	}
	if st := s.Stats(); st.TokenRequests+st.OTACRequests+st.APIRequests != 0 {
		t.Fatalf("refused input reached the server: %+v", st)
	}
}

// T.C. identity numbers never appear whole in an error, whatever made it.
func TestIdentityNumberMaskedInErrors(t *testing.T) {
	e := &Error{Status: HTTPError, Message: "hasta 12345678901", ServerErrorDescription: "TC 10987654321 yok"}
	j := string(ErrorJSON(e))
	if strings.Contains(j, "12345678901") || strings.Contains(j, "10987654321") || !strings.Contains(j, "123******01") {
		t.Fatalf("%s", j)
	}
}
