package core

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

// proxiedSandbox serves the Ministry's hosts as "teleradyoloji.test", a
// name only a proxy reaches (it tunnels to the sandbox), on port 443 or
// another; cfg makes the config JSON of a client with a "proxy" setting.
func proxiedSandbox(t *testing.T, port string) (s *sandbox.Server, cfg func(proxy string) string) {
	t.Helper()
	s = startSandbox(t, sandbox.Options{TLS: true, TLSNames: []string{"teleradyoloji.test"}})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, s.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	base := "https://teleradyoloji.test" + port
	return s, func(proxy string) string {
		return fmt.Sprintf(`{"institution_code":%q,"password":%q,"application_code":%q,"ogn_url":%q,`+
			`"api_url":%q,"viewer_url":%q,"ca_file":%q,"proxy":%q}`,
			sandbox.InstitutionCode, sandbox.Password, sandbox.ApplicationCode, base,
			base+"/integrationapi", base+"/viewer/", ca, proxy)
	}
}

func clientOf(t *testing.T, cfg string) *Client {
	t.Helper()
	c, err := NewFromJSON([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// TestProxyRefusedLoginOnce: a proxy that refuses the password (407) sees
// one CONNECT for 5 clicks with the default settings (prewarm, retries, the
// API connected during the token request): an Active Directory account
// behind it is not locked. The error says so in both languages, is not
// retryable and shows no password; right credentials work at once.
func TestProxyRefusedLoginOnce(t *testing.T) {
	s, cfg := proxiedSandbox(t, "")
	p, err := sandbox.StartProxy(sandbox.ProxyOptions{Mode: "auth", User: "hbys", Password: "Vekil-Dogru-5",
		Target: strings.TrimPrefix(s.URL(), "https://")})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cl := clientOf(t, cfg("http://hbys:Vekil-Yanlis-3@"+p.Addr()))
	for i := 0; i < 5; i++ {
		_, err := cl.ViewerURL("ACC-1", "", fmt.Sprint(i))
		e := wantStatus(t, err, NetworkError, "Vekil-Yanlis-3")
		if e.Retryable || e.HTTPStatus != 407 || !strings.Contains(e.Message, "refused the user name or password") ||
			!strings.Contains(TurkishMessage(e), "kullanıcı adını veya şifreyi kabul etmedi") {
			t.Fatalf("click %d: %s", i+1, ErrorJSON(e))
		}
	}
	if n := len(p.Connects()); n != 1 {
		t.Fatalf("5 clicks sent %d CONNECTs with a refused password, want 1", n)
	}
	good := clientOf(t, cfg("http://hbys:Vekil-Dogru-5@"+p.Addr()))
	if _, err := good.ViewerURL("ACC-1", "", ""); err != nil {
		t.Fatal(err)
	}
}

// TestEnvProxyOtherPort: with "env" and only HTTPS_PROXY set, an https URL
// on a port other than 443 goes through the proxy too (as Go's net/http
// decides); NO_PROXY naming the host sends it direct.
func TestEnvProxyOtherPort(t *testing.T) {
	s, cfg := proxiedSandbox(t, ":8443")
	addr, tunnels, asked := connectProxy(t, "", "", strings.TrimPrefix(s.URL(), "https://"))
	t.Setenv("HTTPS_PROXY", "http://"+addr)
	t.Setenv("HTTP_PROXY", "")
	t.Setenv("NO_PROXY", "")
	if _, err := clientOf(t, cfg("env")).ServiceToken(); err != nil {
		t.Fatal(err)
	}
	if tunnels.Load() == 0 || asked.Load() != "teleradyoloji.test:8443" {
		t.Fatalf("%d tunnels, asked for %v", tunnels.Load(), asked.Load())
	}
	t.Setenv("NO_PROXY", ".test")
	before := tunnels.Load()
	_, err := clientOf(t, cfg("env")).ServiceToken()
	if StatusOf(err) != NetworkError || tunnels.Load() != before {
		t.Fatalf("NO_PROXY: %v, %d tunnels", err, tunnels.Load()-before)
	}
}

// TestProxyPasswordPercentEncoded: a password with @ : # % typed as is
// gets a config error that says to percent-encode it (without showing it);
// encoded, it works.
func TestProxyPasswordPercentEncoded(t *testing.T) {
	const pass = "P@ss:w#rd%1"
	s, cfg := proxiedSandbox(t, "")
	addr, tunnels, _ := connectProxy(t, "hbys", pass, strings.TrimPrefix(s.URL(), "https://"))
	_, err := NewFromJSON([]byte(cfg("http://hbys:" + pass + "@" + addr)))
	e := wantStatus(t, err, ConfigError, pass, "rd%1")
	if !strings.Contains(e.Message, "percent-encoded") || !strings.Contains(TurkishMessage(e), "yüzde kodlamasıyla") {
		t.Fatalf("%s", ErrorJSON(e))
	}
	if _, err := clientOf(t, cfg("http://hbys:P%40ss%3Aw%23rd%251@"+addr)).ServiceToken(); err != nil || tunnels.Load() == 0 {
		t.Fatalf("encoded: %v, %d tunnels", err, tunnels.Load())
	}
}

// TestTLSInspectionNamed: a certificate from an unknown CA (as behind a
// TLS-inspecting gateway) is reported in both languages with its issuer
// and the hint that something inspects TLS.
func TestTLSInspectionNamed(t *testing.T) {
	addr, stop, err := sandbox.UnknownIssuerServer()
	if err != nil {
		t.Fatal(err)
	}
	defer stop.Close()
	s := startSandbox(t, sandbox.Options{})
	cl := newClient(t, s, fmt.Sprintf(`"ogn_url":"https://%s","retries":0`, addr))
	_, err = cl.ServiceToken()
	e := wantStatus(t, err, NetworkError)
	const issuer = "Hastane Güvenlik Duvarı SSL Denetim CA"
	if !strings.Contains(e.Message, issuer) || !strings.Contains(e.Message, "TLS-inspecting") ||
		!strings.Contains(TurkishMessage(e), issuer) || !strings.Contains(TurkishMessage(e), "TLS denetimi") {
		t.Fatalf("%s", ErrorJSON(e))
	}
}
