package core

import (
	"strings"
	"testing"

	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

func TestAPIURL(t *testing.T) {
	c := &Client{apiBase: "https://api.example/integrationapi"}
	cases := []struct{ path, want string }{
		{"Foo/Bar", "https://api.example/integrationapi/Foo/Bar"},
		{"/Foo/Bar?x=1&y=ş", "https://api.example/integrationapi/Foo/Bar?x=1&y=ş"},
		{"///Foo", ""},
		{"a..b/c", "https://api.example/integrationapi/a..b/c"},
		{"http://evil.example/x", ""},
		{"//evil.example/x", ""},
		{"\\\\evil\\x", ""},
		{"../x", ""},
		{"a/./b", ""},
		{"a/%2E%2E/b", ""},
		{"a/%zz", ""},
		{"a#b", ""},
		{"a b", ""},
		{"a\r\nHost: x", ""},
		{"a?next=https://x", ""},
		// Found by a hostile review: each would reach a parent directory or
		// another path on some server.
		{"a/%5C..%5Cb", ""},
		{"%2F%2Fevil.example/x", ""},
		{"a/..;/b", ""},
		{"a/.;x/b", ""},
		{"a/%252e%252e/b", ""},
		{"a/%C0%AE%C0%AE/b", ""},
		{"a/%00/b", ""},
		{"a/%0d%0aX:y", ""},
		{"a/\x01b", ""},
		{"a/\x7fb", ""},
		{"a/\xffb", ""},
		{"a/b?q=%20ok", "https://api.example/integrationapi/a/b?q=%20ok"},
		{"Hasta/%C5%9E", "https://api.example/integrationapi/Hasta/%C5%9E"},
	}
	for _, tc := range cases {
		got, err := c.apiURL(tc.path)
		if tc.want == "" {
			if StatusOf(err) != InvalidArgument {
				t.Errorf("apiURL(%q) = %q, %v; want TRL_E_INVALID_ARGUMENT", tc.path, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("apiURL(%q) = %q, %v; want %q", tc.path, got, err, tc.want)
		}
	}
}

func TestCall(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	c := newClient(t, s, "")
	res, err := c.Call("put", "echo/x", []byte(`{"Ad":"Işıl"}`))
	if err != nil || res.HTTPStatus != 200 || !strings.Contains(string(res.Body), `"body":{"Ad":"Işıl"}`) {
		t.Fatalf("%d %s %v", res.HTTPStatus, res.Body, err)
	}
	res, err = c.Call("GET", "status/409", nil)
	e := wantStatus(t, err, HTTPError)
	if res.HTTPStatus != 409 || e.HTTPStatus != 409 || !strings.Contains(string(res.Body), "status 409") ||
		e.ServerErrorDescription != "status 409" {
		t.Fatalf("%+v %s", e, res.Body)
	}
	// A 2xx envelope with IsSuccess:false is a failure too, body kept.
	res, err = c.Call("GET", "status/200", nil)
	if err != nil {
		t.Fatal(err)
	}
	s.AddFault(sandbox.Fault{Target: "api", Kind: "status", Status: 500, Count: 0})
	_, err = c.Call("HEAD", "echo", nil)
	if e := wantStatus(t, err, HTTPError); !e.Retryable {
		t.Fatal("500 not retryable")
	}
	if n := s.Stats().APIRequests; n != 3+3 {
		t.Fatalf("%d api requests, want 3 before and 3 attempts of HEAD", n)
	}
}

// TestNoSecretInErrors provokes every failure we can against the sandbox
// and checks that no password, token or OTAC appears in any error.
func TestNoSecretInErrors(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	c := newClient(t, s, `"timeout_ms":400,"retries":1`)
	tok, err := c.ViewerToken("12345678901", "")
	if err != nil {
		t.Fatal(err)
	}
	otac, err := c.PostOTAC(tok.Value, "ACC")
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{tok.Value, otac, sandbox.Password}
	for _, kind := range []string{"status", "unauthorized", "malformed", "html", "huge", "close", "latency"} {
		for _, target := range []string{"token", "otac", "api"} {
			s.Reset()
			s.Revoke() // forces a token fetch through the fault too
			s.AddFault(sandbox.Fault{Target: target, Kind: kind, Status: 500, DelayMS: 600, Count: 0})
			_, err1 := c.ViewerURL("ACC", "12345678901", "")
			_, err2 := c.PostOTAC(tok.Value, "ACC")
			_, err3 := c.Call("POST", "echo", []byte(`{"Password":"`+sandbox.Password+`"}`))
			for _, err := range []error{err1, err2, err3} {
				if err == nil {
					continue
				}
				text := err.Error() + string(ErrorJSON(err))
				for _, sec := range secrets {
					if strings.Contains(text, sec) {
						t.Fatalf("%s/%s: a secret in %s", target, kind, text)
					}
				}
			}
		}
	}
	wrong, _ := NewFromJSON([]byte(strings.Replace(s.ConfigJSON(""), sandbox.Password, "Baska-Parola-55", 1)))
	_, err = wrong.ServiceToken()
	wantStatus(t, err, AuthError, "Baska-Parola-55")
}
