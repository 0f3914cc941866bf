package core

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/teleradyoloji/teleradyoloji/core/internal/diag"
	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

var stepOrder = []string{"config", "proxy", "proxy", "proxy", "dns", "dns", "dns", "tcp", "tcp", "tcp",
	"tls", "tls", "tls", "http", "http", "http", "clock", "credentials", "api_call"}

// checkReport checks the report's shape: every step in order with both
// languages, no secret, ok = every step ok.
func checkReport(t *testing.T, rep Report, secrets ...string) {
	t.Helper()
	raw := string(rep.JSON())
	var back diag.Report
	if err := json.Unmarshal([]byte(raw), &back); err != nil {
		t.Fatalf("report JSON: %v", err)
	}
	if len(rep.Steps) == 1 && rep.Steps[0].Step == "config" {
		return // settings refused
	}
	all := true
	for i, st := range rep.Steps {
		if i >= len(stepOrder) || st.Step != stepOrder[i] {
			t.Fatalf("step %d is %q, want the order %v", i, st.Step, stepOrder)
		}
		if st.Message == "" || st.MessageTR == "" {
			t.Errorf("step %s/%s lacks a message: %+v", st.Step, st.Target, st)
		}
		if !st.OK && !st.Skipped && (st.Advice == "" || st.AdviceTR == "") {
			t.Errorf("failed step %s/%s has no advice", st.Step, st.Target)
		}
		all = all && st.OK
	}
	if len(rep.Steps) != len(stepOrder) {
		t.Fatalf("%d steps", len(rep.Steps))
	}
	if all != rep.OK {
		t.Errorf("ok = %v with steps ok = %v", rep.OK, all)
	}
	for _, s := range append(secrets, sandbox.Password) {
		if s != "" && strings.Contains(raw, s) {
			t.Fatalf("a secret appears in the report")
		}
	}
}

// firstFailure is the first failed step that was not skipped.
func firstFailure(rep Report) *diag.Step {
	for i := range rep.Steps {
		if !rep.Steps[i].OK && !rep.Steps[i].Skipped {
			return &rep.Steps[i]
		}
	}
	return nil
}

func wantFailure(t *testing.T, rep Report, step, target string, en, tr []string) {
	t.Helper()
	f := firstFailure(rep)
	if f == nil {
		t.Fatalf("no step failed: %s", rep.JSON())
	}
	if f.Step != step || f.Target != target {
		t.Fatalf("first failure %s/%s (%s), want %s/%s", f.Step, f.Target, f.Message, step, target)
	}
	for _, w := range en {
		if !strings.Contains(f.Message+" "+f.Advice, w) {
			t.Errorf("%s/%s: %q lacks %q", step, target, f.Message+" | "+f.Advice, w)
		}
	}
	for _, w := range tr {
		if !strings.Contains(f.MessageTR+" "+f.AdviceTR, w) {
			t.Errorf("%s/%s: %q lacks %q", step, target, f.MessageTR+" | "+f.AdviceTR, w)
		}
	}
	if rep.OK {
		t.Error("report ok with a failed step")
	}
}

func diagnose(t *testing.T, s *sandbox.Server, extra string) Report {
	t.Helper()
	rep := newClient(t, s, extra).Diagnose()
	checkReport(t, rep)
	if testing.Verbose() {
		for _, st := range rep.Steps {
			t.Logf("%-11s %-6s ok=%-5v %s | %s", st.Step, st.Target, st.OK, st.Message, st.Advice)
		}
	}
	return rep
}

func TestDiagnosePasses(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	rep := diagnose(t, s, `"prewarm":false`)
	if !rep.OK {
		t.Fatalf("not ok: %s", rep.JSON())
	}
	// One token request; on the API host the reachability GET and the
	// authenticated GET (last), both of the base URL; never a postOTAC.
	if st := s.Stats(); st.ServiceTokenRequests != 1 || st.APIRequests != 2 || st.OTACRequests != 0 {
		t.Fatalf("the doctor sent %d token, %d API, %d postOTAC requests", st.ServiceTokenRequests, st.APIRequests, st.OTACRequests)
	}
	if got := s.Stats().LastAPIRequest; got.Method != "GET" || got.Path != "/integrationapi/" || got.Authorization != "Bearer" {
		t.Fatalf("the API request was %s %s (%s)", got.Method, got.Path, got.Authorization)
	}
}

func TestDiagnoseTLSWithCAFile(t *testing.T) {
	s, ca := twoHostSandbox(t)
	rep := diagnose(t, s, ca)
	if !rep.OK {
		t.Fatalf("not ok: %s", rep.JSON())
	}
	for _, st := range rep.Steps {
		if st.Step == "tls" && (!strings.Contains(st.Message, "TLS 1.3") || !strings.Contains(st.Advice, "ca_file")) {
			t.Errorf("tls step: %+v", st)
		}
	}
}

func TestDiagnoseFaults(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	refused, _ := sandbox.RefusedAddr()
	hole, holeStop, err := sandbox.Blackhole()
	if err != nil {
		t.Fatal(err)
	}
	defer holeStop.Close()
	reset, resetStop, _ := sandbox.ResetServer()
	defer resetStop.Close()
	inspect, inspectStop, _ := sandbox.UnknownIssuerServer()
	defer inspectStop.Close()

	cases := []struct {
		name, extra, step, target string
		setup                     func()
		en, tr                    []string
	}{
		{name: "DNS failure", extra: `"ogn_url":"https://ogn.invalid"`, step: "dns", target: "ogn",
			en: []string{"cannot be resolved", "DNS"}, tr: []string{"çözülemiyor (DNS)"}},
		{name: "connection refused", extra: fmt.Sprintf(`"ogn_url":"http://%s"`, refused), step: "tcp", target: "ogn",
			en: []string{"refused the connection", "firewall"}, tr: []string{"bağlantıyı reddetti", "güvenlik duvarı"}},
		{name: "no answer (firewall)", extra: fmt.Sprintf(`"ogn_url":"http://%s","timeout_ms":1000`, hole), step: "tcp", target: "ogn",
			en: []string{"No answer", "firewall", "IP address"}, tr: []string{"yanıt gelmedi", "güvenlik duvarı", "IP adresi"}},
		{name: "403 IP not allowed", setup: func() { s.SetConfig(sandbox.Config{BlockIP: ptr(true)}) }, step: "http", target: "ogn",
			en: []string{"403", "mentions the IP address", "public IP address", "registered with the Ministry"},
			tr: []string{"403", "IP adresi", "Bakanlığa tanımlı olmayabilir"}},
		{name: "reset in the TLS handshake", extra: fmt.Sprintf(`"ogn_url":"https://%s"`, reset), step: "tls", target: "ogn",
			en: []string{"reset", "IP address"}, tr: []string{"kesildi", "IP adresi"}},
		{name: "TLS inspection", extra: fmt.Sprintf(`"ogn_url":"https://%s"`, inspect), step: "tls", target: "ogn",
			en: []string{"TLS inspection", "Hastane Güvenlik Duvarı SSL Denetim CA", "ca_file"}, tr: []string{"TLS denetimi", "Hastane Güvenlik Duvarı"}},
		{name: "wrong credentials", extra: `"password":"Yanlis-Sifre-9!"`, step: "credentials", target: "ogn",
			en: []string{"institution code or the e-Nabız password"}, tr: []string{"kurum kodunu veya e-Nabız şifresini"}},
		{name: "clock skew", setup: func() { s.SetConfig(sandbox.Config{DateSkewS: ptr(-600)}) }, step: "clock", target: "ogn",
			en: []string{"by 10 minutes", "clock is 10 minutes ahead of"}, tr: []string{"10 dakika ileride"}},
		{name: "API refuses the token", setup: func() { s.AddFault(sandbox.Fault{Target: "api", Kind: "unauthorized"}) }, step: "api_call", target: "api",
			en: []string{"refused the token", "different environments"}, tr: []string{"tokenı kabul etmedi"}},
		{name: "server error", setup: func() { s.AddFault(sandbox.Fault{Target: "token", Kind: "status", Status: 503}) }, step: "credentials", target: "ogn",
			en: []string{"HTTP 503"}, tr: []string{"HTTP 503"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.Reset()
			if c.setup != nil {
				c.setup()
			}
			extra := `"prewarm":false,"retries":0`
			if c.extra != "" {
				extra += "," + c.extra
			}
			rep := diagnose(t, s, extra)
			wantFailure(t, rep, c.step, c.target, c.en, c.tr)
			if c.step == "dns" || c.step == "tcp" || c.step == "tls" || c.step == "http" {
				for _, st := range rep.Steps {
					if st.Step == "credentials" && !st.Skipped && c.target == "ogn" {
						t.Errorf("credentials not skipped after OGN failed")
					}
				}
			}
		})
	}
	if st := s.Stats(); st.OTACRequests != 0 {
		t.Fatalf("the doctor asked for %d OTACs", st.OTACRequests)
	}
}

func ptr[T any](v T) *T { return &v }

// TestDiagnoseProxies: a proxy that refuses, one that wants a password,
// one that works (with a password that must not show), and a proxy the
// environment names but the settings do not use.
func TestDiagnoseProxies(t *testing.T) {
	s, hosts, start := behindProxy(t)

	refusing := start(sandbox.ProxyOptions{Mode: "refuse"})
	rep := diagnose(t, s, hosts+fmt.Sprintf(`,"proxy":"http://%s"`, refusing.Addr()))
	wantFailure(t, rep, "tcp", "ogn", []string{"refused to connect to ogn.saglik.test:443 (HTTP 403)", "allow"},
		[]string{"bağlanmayı reddetti", "izin vermesini"})
	if !strings.HasPrefix(rep.Steps[1].Message, fmt.Sprintf("ogn.saglik.test:443 is reached through the proxy http://%s (the \"proxy\" setting)", refusing.Addr())) {
		t.Errorf("proxy step: %s", rep.Steps[1].Message)
	}

	auth := start(sandbox.ProxyOptions{Mode: "auth", User: "hbys", Password: "Proxy-Gizli-42"})
	rep = diagnose(t, s, hosts+fmt.Sprintf(`,"proxy":"http://%s"`, auth.Addr()))
	wantFailure(t, rep, "tcp", "ogn", []string{"407", "user name and password", "put them in the proxy URL, percent-encoded"},
		[]string{"kullanıcı adı ve şifre", "yüzde kodlamasıyla"})
	// Given and refused: no advice to put them in the URL, and asked once,
	// not once per host (a proxy checking Active Directory locks accounts).
	asked := len(auth.Connects())
	rep = diagnose(t, s, hosts+fmt.Sprintf(`,"proxy":"http://hbys:Yanlis-Proxy-1@%s"`, auth.Addr()))
	if n := len(auth.Connects()) - asked; n != 1 {
		t.Errorf("a refused proxy login was asked %d times, want 1", n)
	}
	checkReport(t, rep, "Yanlis-Proxy-1")
	wantFailure(t, rep, "tcp", "ogn", []string{"refused the user name or password", "check them", "lock the account"},
		[]string{"kabul etmedi", "kilitleyebilir"})
	if f := firstFailure(rep); strings.Contains(f.Advice, "put them in the proxy URL") {
		t.Errorf("advice for a refused login: %s", f.Advice)
	}

	// A proxy password that is part of the host names: hidden where it is
	// the password, never cut out of the names.
	common := start(sandbox.ProxyOptions{Mode: "auth", User: "hbys", Password: "saglik"})
	rep = diagnose(t, s, hosts+fmt.Sprintf(`,"proxy":"http://hbys:saglik@%s"`, common.Addr()))
	raw := string(rep.JSON())
	if !rep.OK || strings.Contains(raw, "***") || !strings.Contains(raw, "ogn.saglik.test:443") || strings.Contains(raw, ":saglik@") {
		t.Fatalf("a password inside the host names: %s", raw)
	}

	rep = diagnose(t, s, hosts+fmt.Sprintf(`,"proxy":"http://hbys:Proxy-Gizli-42@%s"`, auth.Addr()))
	checkReport(t, rep, "Proxy-Gizli-42")
	if !rep.OK {
		t.Fatalf("through a working proxy: %s", rep.JSON())
	}
	if c := strings.Join(auth.Connects(), " "); !strings.Contains(c, "ogn.saglik.test:443") || !strings.Contains(c, "api.saglik.test:443") {
		t.Fatalf("CONNECTs: %v", c)
	}

	t.Setenv("HTTPS_PROXY", "http://user:Env-Gizli-7@proxy.hastane.local:3128")
	rep = diagnose(t, s, `"ogn_url":"https://ogn.invalid","prewarm":false`)
	checkReport(t, rep, "Env-Gizli-7")
	wantFailure(t, rep, "dns", "ogn", []string{`set "proxy" to "env"`, "http://proxy.hastane.local:3128"},
		[]string{`"proxy" ayarını "env" yapın`})
}

// behindProxy is a TLS sandbox named ogn.saglik.test and api.saglik.test,
// names only its proxies resolve (they tunnel every CONNECT to it): the
// client settings for those names, and a function starting such a proxy.
func behindProxy(t *testing.T) (*sandbox.Server, string, func(sandbox.ProxyOptions) *sandbox.Proxy) {
	t.Helper()
	s := startSandbox(t, sandbox.Options{TLS: true, TLSNames: []string{"ogn.saglik.test", "api.saglik.test"}})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, s.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	hosts := fmt.Sprintf(`"ogn_url":"https://ogn.saglik.test","api_url":"https://api.saglik.test/integrationapi",`+
		`"viewer_url":"https://api.saglik.test/viewer/","ca_file":%q,"prewarm":false,"retries":0,"timeout_ms":3000`, ca)
	start := func(o sandbox.ProxyOptions) *sandbox.Proxy {
		o.Target = strings.TrimPrefix(s.URL(), "https://")
		p, err := sandbox.StartProxy(o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		return p
	}
	return s, hosts, start
}

// TestDiagnoseSystemProxy: "system", the Windows default, is the
// environment off Windows: the doctor goes through HTTPS_PROXY and says
// why, and the settings line and client.created name "system" (they said
// "(unreadable)", and the doctor looked up a proxy host named "system").
func TestDiagnoseSystemProxy(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip(`"system" is WinHTTP on Windows: make test-windows-proxy`)
	}
	s, hosts, start := behindProxy(t)
	p := start(sandbox.ProxyOptions{Mode: "tunnel"})
	t.Setenv("HTTPS_PROXY", "http://"+p.Addr())
	t.Setenv("NO_PROXY", "")
	ev := recordEvents(t)
	rep := diagnose(t, s, hosts+`,"proxy":"system"`)
	if !rep.OK {
		t.Fatalf(`"proxy":"system": %s`, rep.JSON())
	}
	if m := rep.Steps[0].Message; !strings.Contains(m, "proxy system (") || strings.Contains(m, "unreadable") {
		t.Errorf("settings line: %s", m)
	}
	for _, st := range rep.Steps[1:3] {
		if !strings.Contains(st.Message, "through the proxy http://"+p.Addr()) || !strings.Contains(st.Message, "HTTPS_PROXY") ||
			!strings.Contains(st.MessageTR, "HTTPS_PROXY") {
			t.Errorf("proxy step: %s | %s", st.Message, st.MessageTR)
		}
	}
	if c := strings.Join(p.Connects(), " "); !strings.Contains(c, "ogn.saglik.test:443") || !strings.Contains(c, "api.saglik.test:443") {
		t.Fatalf("CONNECTs: %v", c)
	}
	for _, m := range ev.list(t) {
		if m["event"] == "client.created" && m["proxy"] != "system" {
			t.Errorf("client.created: proxy %v", m["proxy"])
		}
	}
}

func TestDiagnoseConfig(t *testing.T) {
	rep := DiagnoseConfig([]byte(`{"institution_code":"1","application_code":"A"}`))
	if rep.OK || len(rep.Steps) != 1 || rep.Steps[0].Step != "config" || !strings.Contains(rep.Steps[0].MessageTR, "e-Nabız şifresi") {
		t.Fatalf("%s", rep.JSON())
	}
	s := startSandbox(t, sandbox.Options{})
	if rep := DiagnoseConfig([]byte(s.ConfigJSON(""))); !rep.OK {
		t.Fatalf("%s", rep.JSON())
	}
}
