package core

import (
	"strings"
	"testing"
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
