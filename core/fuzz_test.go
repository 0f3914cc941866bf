package core

// Fuzz targets (issue 10). `make test-fuzz` runs each briefly, `make fuzz`
// for FUZZTIME (10m) each; plain `go test` runs the seeds below and the
// corpus in testdata/fuzz/<target>/ (inputs the fuzzer found) as tests.

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/teleradyoloji/teleradyoloji/core/internal/jsonx"
	"github.com/valyala/fasthttp"
)

// fuzzPassword has what makes masking hard: a space (white space folding),
// '"' (JSON escaping), '+' and '/' (form escaping) and a non-ASCII letter.
const fuzzPassword = `Gizli Parola+2026/"ş"`

// fuzzBearer is the token sent with a PostOtac request: a secret too.
const fuzzBearer = "eyJhbGciOiJIUzI1NiJ9.ZnV6eg.c2lnbmF0dXJl"

const fuzzAPIBase = "https://api.example/integrationapi"

// fuzzClient is a client with fuzzPassword that never connects anywhere.
func fuzzClient(f *testing.F) *Client {
	f.Helper()
	pw, _ := jsonx.Marshal(fuzzPassword)
	c, err := NewFromJSON([]byte(`{"institution_code":"1234567","password":` + string(pw) +
		`,"application_code":"HBYS","api_url":"` + fuzzAPIBase + `","prewarm":false}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(c.Close)
	return c
}

// insertAt puts ins into s at a position chosen by at (0: not at all).
func insertAt(s, ins string, at uint16) string {
	if at == 0 || ins == "" {
		return s
	}
	i := int(at-1) % (len(s) + 1)
	return s[:i] + ins + s[i:]
}

// beforeLastQuote is insertAt's position just inside a body's last JSON
// string (before its last '"'), or else its end.
func beforeLastQuote(body string) uint16 {
	if i := strings.LastIndexByte(body, '"'); i >= 0 {
		return uint16(i + 1)
	}
	return uint16(len(body) + 1)
}

// secretVariant is the password as a server may echo it: mode 0 none, 1 as
// is, 2 JSON-escaped, 3 form-escaped, 4 JSON-escaped with other white space.
func secretVariant(pw string, mode uint8) string {
	switch mode % 5 {
	case 1:
		return pw
	case 2:
		q, _ := jsonx.Marshal(pw)
		return string(q[1 : len(q)-1])
	case 3:
		return url.QueryEscape(pw)
	case 4:
		return secretVariant(strings.ReplaceAll(pw, " ", "\t\n "), 2)
	}
	return ""
}

// checkNoSecret fails when err's text or ABI JSON holds a secret.
func checkNoSecret(t *testing.T, err error, secrets []string) {
	t.Helper()
	text := err.Error() + "\n" + string(ErrorJSON(err))
	for _, s := range secrets {
		if len(s) >= 4 && strings.Contains(text, s) {
			t.Fatalf("secret %q in the error: %s", s, text)
		}
	}
}

// ---------------------------------------------------------------- token

func FuzzParseTokenResponse(f *testing.F) {
	c := fuzzClient(f)
	secrets := c.secretsOf(&request{})
	seeds := []struct {
		status uint16
		ctype  string
		body   string
	}{
		{200, "application/json", `{"access_token":"abc.def","expires_in":3600,"token_type":"Bearer"}`},
		{200, "application/json", `{"access_token":"abc.def","expires_in":"3600"}`},
		{200, "application/json", `{"access_token":"abc.def","expires_in":1e300}`},
		{200, "application/json", `{"access_token":"abc.def","expires_in":-1e300}`},
		{200, "application/json", `{"access_token":"abc.def","expires_in":"NaN"}`},
		{200, "application/json", `{"access_token":"a\u000bb"}`},
		{200, "application/json", `{"access_token":"a\u00a0b"}`},
		{200, "application/json", `{"access_token":"a b"}`},
		{200, "application/json", `{"error":"invalid_grant"}`},
		{400, "application/json", `{"error":"invalid_grant","error_description":"bad password "}`},
		{401, "application/json", `{"error":"invalid_client"}`},
		{429, "application/json", `{"error":"slow_down"}`},
		{500, "application/json", `{"message":"password was "}`},
		{502, "text/html", `<html>bad gateway</html>`},
		{200, "text/plain", `not json `},
		{200, "application/json", `{"access_token":`},
	}
	for _, s := range seeds {
		for mode := uint8(0); mode < 5; mode++ {
			f.Add(s.status, s.ctype, []byte(s.body), mode, beforeLastQuote(s.body))
		}
	}
	f.Fuzz(func(t *testing.T, status uint16, ctype string, body []byte, mode uint8, at uint16) {
		body = []byte(insertAt(string(body), secretVariant(fuzzPassword, mode), at))
		resp := &response{status: int(status % 600), body: body, contentType: ctype, secrets: secrets}
		def := 300 * time.Second
		tok, lifetime, err := parseTokenResponse(resp, def)
		if err != nil {
			if st := StatusOf(err); st != AuthError && st != HTTPError && st != ProtocolError {
				t.Fatalf("status %s: %v", st.Name(), err)
			}
			checkNoSecret(t, err, secrets)
			return
		}
		if resp.status < 200 || resp.status > 299 {
			t.Fatalf("a token from HTTP %d", resp.status)
		}
		if tok == "" || strings.IndexFunc(tok, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			t.Fatalf("accepted a token with white space or control characters: %q", tok)
		}
		if lifetime != def && (lifetime > 10*365*24*time.Hour || lifetime < -1e9*time.Second) {
			t.Fatalf("lifetime %v out of bounds", lifetime)
		}
	})
}

// ----------------------------------------------------------------- OTAC

func FuzzParseOTACResponse(f *testing.F) {
	c := fuzzClient(f)
	secrets := c.secretsOf(&request{bearer: fuzzBearer})
	vurl := "https://teleradyoloji.saglik.gov.tr/viewer/#/viewpatient?otac=" + guideOTAC
	for _, body := range []string{
		guideOTAC, `"` + guideOTAC + `"`, `{"otac":"` + guideOTAC + `"}`, vurl, `"` + vurl + `"`,
		`{"Data":"abc","IsSuccess":true}`, `{"Data":{"Otac":"a+b/c="},"IsSuccess":true}`,
		`{"Data":"` + vurl + `","IsSuccess":true}`,
		`{"Data":null,"IsSuccess":false,"Message":"bulunamadı "}`,
		"https://x/#/viewpatient?otac=a%2B", "https://x/viewer/?otac=abc123",
		"https://x/#/viewpatient?otac=a%2Fb%3D%3D", "https://x/#/viewpatient?lang=tr&OTAC=x~y",
		"https://x/#/viewpatient?otac=%41%42", "https://x/#/viewpatient?otac=a%252F",
		"https://x/#/viewpatient?otac=%", "https://x/#/viewpatient", `["abc"]`, "<html></html>", "a b",
		"https://x/#/viewpatient?otac=" + strings.Repeat("a", 1025),
	} {
		at := beforeLastQuote(body)
		for mode := uint8(0); mode < 5; mode++ {
			f.Add(uint8(0), "application/json", []byte(body), mode, at, uint8(0), uint16(0))
			f.Add(uint8(0), "text/plain", []byte(body), uint8(0), uint16(0), mode, at)
		}
	}
	base := c.viewerBase
	f.Fuzz(func(t *testing.T, status uint8, ctype string, body []byte, pwMode uint8, pwAt uint16, tokMode uint8, tokAt uint16) {
		// The password or the bearer token (or a variant) mixed into the body.
		s := insertAt(string(body), secretVariant(fuzzPassword, pwMode), pwAt)
		s = insertAt(s, secretVariant(fuzzBearer, tokMode), tokAt)
		resp := &response{status: 200 + int(status%100), body: []byte(s), contentType: ctype, secrets: secrets}
		otac, err := parseOTACResponse(resp)
		if err != nil {
			if st := StatusOf(err); st != HTTPError && st != ProtocolError {
				t.Fatalf("status %s: %v", st.Name(), err)
			}
			checkNoSecret(t, err, secrets)
			return
		}
		if !validOTAC(otac) {
			t.Fatalf("accepted an invalid OTAC %q", otac)
		}
		u := buildViewerURL(base, otac)
		if back, ok := otacFromURL(u); !ok || back != otac {
			t.Fatalf("OTAC %q: URL %q gives back %q, %v", otac, u, back, ok)
		}
	})
}

// --------------------------------------------------------------- config

const fuzzCreds = `"institution_code":"1234567","password":"Gizli-Parola-2026!","application_code":"HBYS"`

// configMessage is ParseConfig's error text for the object obj ("" if none).
func configMessage(t *testing.T, obj map[string]jsonx.RawMessage) string {
	data, err := jsonx.Marshal(obj)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	_, err = ParseConfig(data)
	if err == nil {
		return ""
	}
	return err.Error() + "\n" + string(ErrorJSON(err))
}

func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		`{` + fuzzCreds + `}`,
		`{` + fuzzCreds + `,"ogn_url":"https://ogn.example/","api_url":"https://api.example/x//","viewer_url":"http://[::1]:9/v/"}`,
		`{` + fuzzCreds + `,"api_url":"https://h/a%2Fb/"}`,
		`{` + fuzzCreds + `,"api_url":"https://u:p@h"}`,
		`{` + fuzzCreds + `,"viewer_url":"https://v/#x"}`,
		`{` + fuzzCreds + `,"viewer_url":"https://v/x?"}`,
		`{` + fuzzCreds + `,"proxy":"http://u:Gizli-Parola-2026!@proxy:3128"}`,
		`{` + fuzzCreds + `,"timeout_ms":1.5,"retries":"2"}`,
		`{` + fuzzCreds + `,"Gizli-Parola-2026!":1}`,
		`{"password":"hunter22","hunter22":true}`,
		`{"password":12345678,"institution_code":"1","application_code":"a"}`,
		`{"password":"  ","institution_code":"1","application_code":"a"}`,
		`{` + fuzzCreds + `,"user_agent":"a\r\nb"}`,
		`{` + fuzzCreds + `,"password":"x"}`,
		`{` + fuzzCreds + `} x`, `[]`, ``, `{"a":`,
	} {
		f.Add([]byte(s), "Gizli-Parola-2026!")
		f.Add([]byte(s), "hunter22")
	}
	f.Fuzz(func(t *testing.T, data []byte, pw string) {
		// Any input: no panic, a CONFIG error or a config that re-validates.
		cfg, err := ParseConfig(data)
		if err != nil {
			if StatusOf(err) != ConfigError {
				t.Fatalf("status %s: %v", StatusOf(err).Name(), err)
			}
		} else {
			again := cfg
			if err := again.Validate(); err != nil || again != cfg {
				t.Fatalf("a parsed config does not re-validate to itself: %v\n%+v\n%+v", err, cfg, again)
			}
			// Bases the library appends paths and routes to: scheme, host, path only.
			for _, base := range []string{cfg.OGNURL, cfg.APIURL, cfg.ViewerURL} {
				u, err := url.Parse(base)
				if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.ForceQuery ||
					u.Fragment != "" || strings.HasSuffix(base, "/") || (u.Scheme != "https" && u.Scheme != "http") {
					t.Fatalf("a parsed config has the base URL %q", base)
				}
			}
		}

		// The password value never shows: the message does not depend on it
		// (unless it is blank), and it never holds it, even when a key does.
		// Only UTF-8 is in scope: other bytes are refused by ParseConfig, and
		// re-encoding them here (as U+FFFD) would make keys and password
		// collide by accident.
		if !utf8.Valid(data) || !utf8.ValidString(pw) {
			return
		}
		var obj map[string]jsonx.RawMessage
		if jsonx.Unmarshal(bytes.TrimSpace(data), &obj) != nil || obj == nil {
			obj = map[string]jsonx.RawMessage{}
		}
		q, err := jsonx.Marshal(pw)
		if err != nil {
			return
		}
		if jsonx.Unmarshal(q, &pw) != nil || strings.TrimSpace(pw) == "" {
			return // pw is now the value ParseConfig will see
		}
		obj["password"] = q
		msg := configMessage(t, obj)
		if msg == "" {
			return
		}
		const neutral = "N3UTRAL9PW"
		keyHolds := false // an unknown key holds the password: echoed masked
		for k := range obj {
			if _, known := configKeys[k]; !known && (strings.Contains(k, pw) || strings.Contains(k, neutral)) {
				keyHolds = true
			}
		}
		if !keyHolds {
			obj["password"] = jsonx.RawMessage(`"` + neutral + `"`)
			if other := strings.ReplaceAll(configMessage(t, obj), neutral, pw); other != msg {
				t.Fatalf("the message depends on the password value:\n%s\n%s", msg, other)
			}
			obj["password"] = q
		}
		if len(pw) < 8 || !strings.Contains(msg, pw) {
			return
		}
		// It is in the message: fine only if it is in the fixed text, i.e.
		// still there when no unknown key holds it.
		renamed := map[string]jsonx.RawMessage{}
		for k, v := range obj {
			if _, known := configKeys[k]; !known {
				k = strings.ReplaceAll(k, pw, neutral)
			}
			renamed[k] = v
		}
		if !strings.Contains(configMessage(t, renamed), pw) {
			t.Fatalf("the password %q is in the message: %s", pw, msg)
		}
	})
}

// ----------------------------------------------------------- viewer URL

// otacAlphabet is every character an OTAC may have.
const otacAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/="

func FuzzBuildViewerURL(f *testing.F) {
	for _, s := range [][2]string{
		{DefaultViewerURL, guideOTAC},
		{"https://teleradyoloji.saglik.gov.tr/viewer", "a+b/c=d-._~"},
		{"http://127.0.0.1:8080/v/", "==//++"},
		{"https://v.example/a%3Fotac=evil/", "x"},
		{"https://v.example/%23/", "x"},
		{"https://[::1]:443/", "~"},
		{"https://v.example/a;b=c?/", strings.Repeat("+", 1024)},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, rawBase, raw string) {
		base, err := checkBaseURL(rawBase)
		if err != nil {
			base = DefaultViewerURL
		}
		base = strings.TrimRight(base, "/") + "/"
		// The input as is when it is an OTAC, and mapped onto the alphabet.
		otacs := []string{}
		if validOTAC(raw) {
			otacs = append(otacs, raw)
		}
		if raw != "" {
			m := make([]byte, min(len(raw), maxOTACLen))
			for i := range m {
				m[i] = otacAlphabet[int(raw[i])%len(otacAlphabet)]
			}
			otacs = append(otacs, string(m))
		}
		for _, otac := range otacs {
			if !validOTAC(otac) {
				t.Fatalf("mapped OTAC %q is invalid", otac)
			}
			u := buildViewerURL(base, otac)
			tail, ok := strings.CutPrefix(u, base+viewerRoute)
			if !ok {
				t.Fatalf("URL %q does not start with %q", u, base+viewerRoute)
			}
			// Only unreserved characters are left as they are; every other
			// one is %XX (upper-case hex) of a character that needs it.
			for i := 0; i < len(tail); i++ {
				if isUnreserved(tail[i]) {
					continue
				}
				if tail[i] != '%' || i+2 >= len(tail) {
					t.Fatalf("URL %q: %q left unescaped", u, tail[i])
				}
				h := tail[i+1 : i+3]
				if strings.ToUpper(h) != h || !ishex(h[0]) || !ishex(h[1]) || isUnreserved(unhex(h[0])<<4|unhex(h[1])) {
					t.Fatalf("URL %q: bad escape %%%s", u, h)
				}
				i += 2
			}
			if back, err := url.PathUnescape(tail); err != nil || back != otac {
				t.Fatalf("URL %q: the tail decodes to %q, %v; want %q", u, back, err, otac)
			}
			if back, ok := otacFromURL(u); !ok || back != otac {
				t.Fatalf("URL %q: the fragment route gives %q, %v; want %q", u, back, ok, otac)
			}
			pu, err := url.Parse(u)
			if err != nil || pu.RawQuery != "" || pu.EscapedFragment() != strings.TrimPrefix(viewerRoute, "#")+tail {
				t.Fatalf("URL %q: parses to %#v, %v", u, pu, err)
			}
		}
	})
}

func ishex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 0
}

// ------------------------------------------------------- trl_call paths

// lenientUnescape decodes once the way the most lenient server on the way
// might: every valid %XX and IIS's %uXXXX, leaving anything else as it is,
// then overlong UTF-8 forms of ASCII (C0 AE is '.') as that ASCII byte.
func lenientUnescape(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		case s[i] == '%' && i+5 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U') &&
			ishex(s[i+2]) && ishex(s[i+3]) && ishex(s[i+4]) && ishex(s[i+5]):
			r := rune(unhex(s[i+2]))<<12 | rune(unhex(s[i+3]))<<8 | rune(unhex(s[i+4]))<<4 | rune(unhex(s[i+5]))
			b = utf8.AppendRune(b, r)
			i += 5
		default:
			b = append(b, s[i])
		}
	}
	return string(overlongToASCII(b))
}

// overlongToASCII replaces 2-, 3- and 4-byte overlong encodings of ASCII
// characters with the character.
func overlongToASCII(b []byte) []byte {
	out := b[:0:0]
	cont := func(c byte) bool { return c&0xC0 == 0x80 }
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case (c == 0xC0 || c == 0xC1) && i+1 < len(b) && cont(b[i+1]):
			out = append(out, (c&0x1F)<<6|b[i+1]&0x3F)
			i++
		case c == 0xE0 && i+2 < len(b) && b[i+1]&0xE0 == 0x80 && b[i+1] <= 0x81 && cont(b[i+2]):
			out = append(out, (b[i+1]&0x3F)<<6|b[i+2]&0x3F)
			i += 2
		case c == 0xF0 && i+3 < len(b) && b[i+1] == 0x80 && b[i+2] <= 0x81 && cont(b[i+2]) && cont(b[i+3]):
			out = append(out, (b[i+2]&0x3F)<<6|b[i+3]&0x3F)
			i += 3
		default:
			out = append(out, c)
		}
	}
	return out
}

// pathProblem says what is wrong with one decoding of a path, or "".
func pathProblem(p string) string {
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c == 0x7f {
			return "a control byte"
		}
	}
	switch {
	case strings.Contains(p, "\\"):
		return "a backslash"
	case strings.HasPrefix(p, "/"):
		return "a leading '/' after the base (//authority)"
	}
	for _, seg := range strings.Split(p, "/") {
		seg, _, _ = strings.Cut(seg, ";")
		if seg == "." || seg == ".." {
			return "a '.' or '..' segment"
		}
	}
	return ""
}

func FuzzAPIPath(f *testing.F) {
	c := fuzzClient(f)
	for _, p := range []string{
		"Foo/Bar", "/Foo/Bar?x=1&y=ş", "a..b/c", "echo", "a/b;v=1/c", "a//b", "?x=../..",
		"../x", "a/./b", "a/%2E%2E/b", "a/%zz", "//evil.example/x", "http://evil.example/x",
		"\\\\evil\\x", "a b", "a\r\nHost: x", "a#b", "a?next=https://x",
		// Refused by the rule, accepted by apiURL of 2026-12 (the fuzzer's own
		// finds are in testdata/fuzz/FuzzAPIPath: "%000", "\x7f", ".;"):
		"a/%5C..%5Cb", "a/..;/b", "a/%252e%252e/b", "a/%C0%AE%C0%AE/b", "a/%00", "a/%0d%0aX:%20y",
		"a\x01b", "a\x7f", "%2F%2Fevil.example/x", "a/%25u002e%25u002e/b", "a/.%2e;x/b",
	} {
		f.Add(p)
	}
	base := fuzzAPIBase + "/"
	f.Fuzz(func(t *testing.T, path string) {
		got, err := c.apiURL(path)
		if err != nil {
			if StatusOf(err) != InvalidArgument {
				t.Fatalf("apiURL(%q): status %s", path, StatusOf(err).Name())
			}
			return
		}
		rest, ok := strings.CutPrefix(got, base)
		if !ok {
			t.Fatalf("apiURL(%q) = %q: not under %q", path, got, base)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c < 0x20 || c == 0x7f || c == ' ' || c == '\\' {
				t.Fatalf("apiURL(%q) = %q: byte %#x", path, got, c)
			}
		}
		// Where the request goes, as fasthttp sends it (path not normalised).
		var u fasthttp.URI
		u.DisablePathNormalizing = true
		if err := u.Parse(nil, []byte(got)); err != nil || string(u.Host()) != "api.example" ||
			!bytes.HasPrefix(u.RequestURI(), []byte("/integrationapi/")) {
			t.Fatalf("apiURL(%q) = %q: fasthttp sends %q to %q (%v)", path, got, u.RequestURI(), u.Host(), err)
		}
		if pu, err := url.Parse(got); err != nil || pu.Host != "api.example" || pu.Scheme != "https" {
			t.Fatalf("apiURL(%q) = %q: net/url host %v", path, got, err)
		}
		// The path, decoded any number of times, stays under the base.
		p := pathOnly(rest)
		for level := 0; level < 8; level++ {
			if why := pathProblem(p); why != "" {
				t.Fatalf("apiURL(%q) = %q accepted, but decoded %d time(s) the path %q has %s", path, got, level, p, why)
			}
			next := lenientUnescape(p)
			if next == p {
				break
			}
			p = next
		}
	})
}

// ------------------------------------------------------------ redaction

// fragment is a start or an end (4 bytes or more) of secret s that out
// shows although in holds it only inside s: what is left of s when it was
// masked in part (by a shorter secret overlapping it, or cut).
func fragment(out, in, s string, folded bool) string {
	rest := strings.ReplaceAll(in, s, "\x00")
	if folded {
		rest = strings.Join(strings.Fields(rest), " ")
	}
	for n := len(s) - 1; n >= 4; n-- {
		for _, frag := range []string{s[:n], s[len(s)-n:]} {
			if strings.Contains(out, frag) && !strings.Contains(rest, frag) {
				return frag
			}
		}
	}
	return ""
}

func FuzzRedact(f *testing.F) {
	pw := "Parola!Gizli#2026"
	for _, s := range []struct {
		text, s1, s2 string
		max          uint16
	}{
		{"bad password ", "Gizli-Parola", "", 200},
		{strings.Repeat("x ", 95), pw, "", 200},                            // the cut falls inside the password
		{"sifre:    yanlis", pw, "", 200},                                  // white space folding around it
		{"p a  s", "p a  s", "", 200},                                      // a password with runs of spaces
		{"token  expired", "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9", "", 10}, // cut inside the token
		{"Kullanıcı adı veya şifre hatalı", "şifre", "", 7},
		{"abcdef", "abcd", "cdef", 3},
		{"x-", "a***b", "XXXX", 100},
	} {
		f.Add(s.text, s.s1, s.s2, uint16(len(s.text)/2+1), uint16(1), s.max)
	}
	f.Fuzz(func(t *testing.T, text, s1, s2 string, at1, at2, max uint16) {
		in := insertAt(insertAt(text, s1, at1), s2, at2)
		secrets := []string{s1, s2}
		// The secrets (of 4 bytes or more) the input holds, as they are or
		// with other white space (a server may re-space an echo). A secret
		// with the masks' own '*' or '…' could be "shown" by text and a mask
		// side by side ("0000000*" in "0000000***"): left out; so is a
		// secret that is not UTF-8 (the mask's bytes could complete it: a
		// password is always UTF-8, config and arguments refuse other text).
		folded := strings.Join(strings.Fields(in), " ")
		var present []string
		for _, s := range secrets {
			if len(s) >= 4 && !strings.ContainsAny(s, "*…") && utf8.ValidString(s) && (strings.Contains(in, s) || strings.Contains(folded, s)) {
				present = append(present, s)
			}
		}
		m := int(max) % (len(in) + 8)
		for _, fn := range []struct {
			name string
			f    func(string, int, ...string) string
		}{{"redact", redact}, {"excerpt", excerpt}} {
			out := fn.f(in, m, secrets...)
			if len(out) > m+len("…") {
				t.Fatalf("%s(%q, %d): %d bytes", fn.name, in, m, len(out))
			}
			if utf8.ValidString(in) && utf8.ValidString(s1) && utf8.ValidString(s2) && !utf8.ValidString(out) { // a valid secret matches whole runes
				t.Fatalf("%s(%q, %d) = %q: invalid UTF-8", fn.name, in, m, out)
			}
			for _, s := range present {
				if strings.Contains(out, s) {
					t.Fatalf("%s(%q, %d, %q) = %q: the secret shows", fn.name, in, m, secrets, out)
				}
				if frag := fragment(out, in, s, true); frag != "" {
					t.Fatalf("%s(%q, %d, %q) = %q: %q of the secret shows", fn.name, in, m, secrets, out, frag)
				}
			}
		}
		out := maskSecrets(in, secrets...)
		for _, s := range present {
			if !strings.Contains(in, s) {
				continue
			}
			if strings.Contains(out, s) {
				t.Fatalf("maskSecrets(%q, %q) = %q: the secret shows", in, secrets, out)
			}
			if frag := fragment(out, in, s, false); frag != "" {
				t.Fatalf("maskSecrets(%q, %q) = %q: %q of the secret shows", in, secrets, out, frag)
			}
		}
		if (s1 == "" || len(s1) >= 3) && (s2 == "" || len(s2) >= 3) && len(out) > len(in) {
			t.Fatalf("maskSecrets(%q, %q) = %q: longer", in, secrets, out)
		}
	})
}
