package sandbox

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

func post(t *testing.T, u, ctype, body, bearer string) (int, string) {
	t.Helper()
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(u)
	req.Header.SetMethod("POST")
	req.Header.SetContentType(ctype)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	req.SetBodyString(body)
	if err := fasthttp.DoTimeout(req, resp, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode(), string(resp.Body())
}

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

func TestTokenEndpointFollowsTheGuide(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	good := []string{"client_id", ClientID, "grant_type", GrantType, "UserName", InstitutionCode,
		"Password", Password, "ApplicationCode", ApplicationCode}
	with := func(k, v string) []string {
		out := append([]string(nil), good...)
		for i := 0; i < len(out); i += 2 {
			if out[i] == k {
				out[i+1] = v
			}
		}
		return out
	}
	cases := []struct {
		name   string
		body   string
		ctype  string
		status int
		has    string
	}{
		{"ok", form(good...), "application/x-www-form-urlencoded", 200, `"access_token"`},
		{"json body", `{}`, "application/json", 400, "invalid_request"},
		{"client_id", form(with("client_id", "x")...), "application/x-www-form-urlencoded", 400, "invalid_client"},
		{"grant_type", form(with("grant_type", "password")...), "application/x-www-form-urlencoded", 400, "unsupported_grant_type"},
		{"password", form(with("Password", "x")...), "application/x-www-form-urlencoded", 400, "invalid_grant"},
		{"application", form(with("ApplicationCode", "x")...), "application/x-www-form-urlencoded", 400, "invalid_grant"},
		{"missing", form("client_id", ClientID, "grant_type", GrantType), "application/x-www-form-urlencoded", 400, "invalid_request"},
	}
	for _, c := range cases {
		st, body := post(t, s.URL()+"/connect/token", c.ctype, c.body, "")
		if st != c.status || !strings.Contains(body, c.has) {
			t.Errorf("%s: %d %s", c.name, st, body)
		}
	}
	stats := s.Stats()
	if stats.TokenRequests != len(cases) || stats.TokenRejections != len(cases)-1 || stats.TokensByKey["|"] != 1 {
		t.Fatalf("%+v", stats)
	}
	if strings.Contains(fmt.Sprint(stats.LastTokenForm), Password) {
		t.Fatal("the stats show the password")
	}
}

func TestOTACIsOneTimeAndNeedsBearer(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if st, _ := post(t, s.APIURL()+"/postOTAC", "application/json", `{"AccessionNumber":"A"}`, "made-up"); st != 401 {
		t.Fatalf("unknown token: %d", st)
	}
	_, tokBody := post(t, s.URL()+"/connect/token", "application/x-www-form-urlencoded",
		form("client_id", ClientID, "grant_type", GrantType, "UserName", InstitutionCode, "Password", Password,
			"ApplicationCode", ApplicationCode, "DoctorIdentityNumber", "1"), "")
	tok := strings.Split(strings.Split(tokBody, `"access_token":"`)[1], `"`)[0]
	s.SetConfig(Config{OTACShape: "text"})
	st, otac := post(t, s.APIURL()+"/postOTAC", "application/json", `{"AccessionNumber":"A-1"}`, tok)
	if st != 200 || len(otac) != 43 {
		t.Fatalf("%d %q", st, otac)
	}
	if st, _ := post(t, s.APIURL()+"/postOTAC", "text/plain", `{"AccessionNumber":"A-1"}`, tok); st != 415 {
		t.Fatalf("text/plain body: %d", st)
	}
	for i, want := range []int{200, 410} {
		code, body, err := fasthttp.Get(nil, s.ViewerURL()+"api/open?otac="+otac)
		if err != nil || code != want {
			t.Fatalf("open #%d: %d %s %v", i, code, body, err)
		}
	}
	s.Revoke()
	if st, _ := post(t, s.APIURL()+"/postOTAC", "application/json", `{"AccessionNumber":"A"}`, tok); st != 401 {
		t.Fatalf("revoked token: %d", st)
	}
}

func TestFaultsApplyInOrderAndExpire(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.AddFault(Fault{Target: "token", Kind: "status", Status: 503, Count: 2})
	s.AddFault(Fault{Target: "any", Kind: "html", Count: 1})
	want := []int{503, 503, 502, 400}
	for i, w := range want {
		if st, _ := post(t, s.URL()+"/connect/token", "application/x-www-form-urlencoded", "", ""); st != w {
			t.Fatalf("request %d: %d, want %d", i, st, w)
		}
	}
	if n := s.Stats().TokenRequests; n != 4 {
		t.Fatalf("counted %d", n)
	}
}

// TestResetDuringALatencyFault: a token issued after a reset by a request
// that arrived before it does not count in the new counters.
func TestResetDuringALatencyFault(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.AddFault(Fault{Target: "token", Kind: "latency", DelayMS: 300, Count: 1})
	done := make(chan struct{})
	go func() {
		post(t, s.URL()+"/connect/token", "application/x-www-form-urlencoded",
			form("client_id", ClientID, "grant_type", GrantType, "UserName", InstitutionCode,
				"Password", Password, "ApplicationCode", ApplicationCode), "")
		close(done)
	}()
	time.Sleep(100 * time.Millisecond)
	s.Reset()
	<-done
	if st := s.Stats(); len(st.TokensByKey) != 0 || st.TokenRequests != 0 {
		t.Fatalf("a request from before the reset counted: %+v", st)
	}
}

// TestForbidFraming: POST /_sandbox/config {"forbid_framing":true} makes the
// viewer page refuse frames; other config changes keep it, reset clears it.
func TestForbidFraming(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	framing := func(step string, forbidden bool) {
		t.Helper()
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		req.SetRequestURI(s.ViewerURL())
		if err := fasthttp.DoTimeout(req, resp, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		csp := string(resp.Header.Peek("Content-Security-Policy"))
		xfo := string(resp.Header.Peek("X-Frame-Options"))
		if resp.StatusCode() != 200 || !strings.Contains(string(resp.Body()), "viewpatient") {
			t.Fatalf("%s: the viewer page: %d", step, resp.StatusCode())
		}
		if forbidden && (csp != "frame-ancestors 'none'" || xfo != "DENY") {
			t.Fatalf("%s: framing allowed: CSP %q, X-Frame-Options %q", step, csp, xfo)
		}
		if !forbidden && (csp != "" || xfo != "") {
			t.Fatalf("%s: framing refused: CSP %q, X-Frame-Options %q", step, csp, xfo)
		}
	}
	control := func(path, body string) {
		t.Helper()
		if st, b := post(t, s.URL()+"/_sandbox/"+path, "application/json", body, ""); st != 200 {
			t.Fatalf("%s %s: %d %s", path, body, st, b)
		}
	}
	framing("default", false)
	control("config", `{"forbid_framing":true}`)
	framing("forbid_framing true", true)
	control("config", `{"otac_shape":"text"}`)
	framing("another config change", true)
	control("config", `{"forbid_framing":false}`)
	framing("forbid_framing false", false)
	control("config", `{"forbid_framing":true}`)
	control("reset", "")
	framing("after reset", false)
}
