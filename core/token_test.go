package core

import (
	"testing"
	"time"

	"github.com/teleradyoloji/teleradyoloji/core/internal/jsonx"
)

func TestParseLifetime(t *testing.T) {
	def := 300 * time.Second
	cases := []struct {
		raw  string
		want time.Duration
	}{
		{`3600`, time.Hour},
		{`"3600"`, time.Hour},
		{`" 60 "`, time.Minute},
		{`1.5`, 1500 * time.Millisecond},
		{``, def},
		{`null`, def},
		{`"soon"`, def},
		{`true`, def},
		{`{}`, def},
		{`0`, 0},
		{`"0"`, 0},
		{`-10`, -10 * time.Second},
		{`1e20`, def},
	}
	for _, c := range cases {
		if got := parseLifetime(jsonx.RawMessage(c.raw), def); got != c.want {
			t.Errorf("parseLifetime(%s) = %v, want %v", c.raw, got, c.want)
		}
	}
}

func TestParseTokenResponse(t *testing.T) {
	cases := []struct {
		name   string
		status int
		ctype  string
		body   string
		want   Status
		server string
	}{
		{"ok", 200, "application/json", `{"access_token":"abc.def","expires_in":3600,"token_type":"Bearer"}`, OK, ""},
		{"invalid_grant", 400, "application/json", `{"error":"invalid_grant","error_description":"bad"}`, AuthError, "invalid_grant"},
		{"invalid_client 401", 401, "application/json", `{"error":"invalid_client"}`, AuthError, "invalid_client"},
		{"unauthorized_client", 400, "application/json", `{"error":"unauthorized_client"}`, AuthError, "unauthorized_client"},
		{"404 without oauth", 404, "text/plain", `not found`, HTTPError, ""},
		{"429 is not auth", 429, "application/json", `{"error":"slow_down"}`, HTTPError, "slow_down"},
		{"500", 500, "application/json", `{"error":"server_error"}`, HTTPError, "server_error"},
		{"html 502", 502, "text/html", `<html>bad gateway</html>`, HTTPError, ""},
		{"malformed", 200, "application/json", `{"access_token":`, ProtocolError, ""},
		{"html 200", 200, "text/html", `<html>login</html>`, ProtocolError, ""},
		{"no token", 200, "application/json", `{"token_type":"Bearer"}`, ProtocolError, ""},
		{"error in 200", 200, "application/json", `{"error":"invalid_grant"}`, AuthError, "invalid_grant"},
		{"token with space", 200, "application/json", `{"access_token":"a b"}`, ProtocolError, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, _, err := parseTokenResponse(&response{status: c.status, contentType: c.ctype, body: []byte(c.body)}, time.Minute)
			e := wantStatus(t, err, c.want)
			if c.want == OK && v != "abc.def" {
				t.Fatalf("token %q", v)
			}
			if e != nil && e.ServerError != c.server {
				t.Fatalf("server_error %q, want %q", e.ServerError, c.server)
			}
			if e != nil && c.status >= 400 && e.HTTPStatus != c.status {
				t.Fatalf("http_status %d", e.HTTPStatus)
			}
			if e != nil && e.Retryable != (c.status >= 500 || c.status == 429) {
				t.Fatalf("retryable %v for %d", e.Retryable, c.status)
			}
		})
	}
}
