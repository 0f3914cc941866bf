package core

import (
	"strings"
	"testing"
	"time"
)

func TestRedact(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Kullanıcı adı veya şifre hatalı", "Kullanıcı adı veya şifre hatalı"},
		{"bad password Gizli-Parola!", "bad password ***!"},
		{"token eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9 expired", "token *** expired"},
		{"otac=g5QYrE7NKFVnHfSea9nfCrevL3FtL3zHilHyUzigUug", "***"},
		{"  many \n\t spaces  ", "many spaces"},
		{"unsupported_grant_type max_response_bytes", "unsupported_grant_type max_response_bytes"},
	}
	for _, c := range cases {
		if got := redact(c.in, 200, "Gizli-Parola"); got != c.want {
			t.Errorf("redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := redact(strings.Repeat("ş ", 200), 21)
	if !strings.HasSuffix(long, "…") || len(long) > 21+len("…") {
		t.Errorf("not cut on a rune boundary: %q", long)
	}
}

func TestSecretsMaskedBeforeCutting(t *testing.T) {
	pw := "Parola!Gizli#2026"
	for _, text := range []string{
		strings.Repeat("x ", 95) + pw, // the cut falls inside the password
		"sifre:  " + pw + "  yanlis",  // folding white space must not break the match
		"p a  s",                      // a password with runs of spaces
	} {
		secret := pw
		if text == "p a  s" {
			secret = text
		}
		if got := redact(text, 200, secret); strings.Contains(got, "Parola") || strings.Contains(got, "p a") {
			t.Errorf("redact(%q) = %q", text, got)
		}
	}
	if got := maskSecrets("pin 42 ok", "42"); got != "pin *** ok" {
		t.Errorf("a short secret was not masked: %q", got)
	}
}

func TestExcerptMasksShortValues(t *testing.T) {
	resp := &response{status: 200, body: []byte(`["a1b2c3d4e5f6"]`)}
	_, err := parseOTACResponse(resp)
	if err == nil || strings.Contains(err.Error(), "a1b2c3d4e5f6") {
		t.Fatalf("%v", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	for v, want := range map[string]time.Duration{"3": 3 * time.Second, "99999999999999": 24 * time.Hour, "0": 0} {
		if got, ok := parseRetryAfter(v); !ok || got != want {
			t.Errorf("parseRetryAfter(%q) = %v", v, got)
		}
	}
	if _, ok := parseRetryAfter("soon"); ok {
		t.Error("accepted garbage")
	}
}

func TestIdentityNumbersMasked(t *testing.T) {
	cases := map[string]string{
		"hasta 12345678901 bulunamadı": "hasta 123******01 bulunamadı",
		"12345678901,10987654321":      "123******01,109******21",
		"123456789012 is not an id":    "123456789012 is not an id",
		"1234567890":                   "1234567890",
	}
	for in, want := range cases {
		if got := MaskIdentityNumbers(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
		if got := redact(in, 200); got != want {
			t.Errorf("redact %q: got %q, want %q", in, got, want)
		}
	}
}
