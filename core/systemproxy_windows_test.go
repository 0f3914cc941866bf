//go:build windows

package core

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teleradyoloji/teleradyoloji/core/internal/sysproxy"
	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

const internetSettings = `HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections`

// setUserProxy writes the current user's proxy settings the way Internet
// Options stores them (DefaultConnectionSettings, which WinHTTP reads):
// flags 1 direct, 2 proxy, 4 PAC script, 8 auto-detect.
func setUserProxy(t *testing.T, flags uint32, proxy, bypass, pacURL string) {
	t.Helper()
	b := binary.LittleEndian.AppendUint32(nil, 0x46)
	b = binary.LittleEndian.AppendUint32(b, 1)
	b = binary.LittleEndian.AppendUint32(b, flags)
	for _, s := range []string{proxy, bypass, pacURL} {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	b = append(b, make([]byte, 32)...)
	out, err := exec.Command("reg", "add", internetSettings, "/v", "DefaultConnectionSettings",
		"/t", "REG_BINARY", "/d", hex.EncodeToString(b), "/f").CombinedOutput()
	if err != nil {
		t.Fatalf("reg add: %v %s", err, out)
	}
}

// TestSystemProxyFromUserSettings runs under wine64 (make test-windows-proxy)
// in the test Wine prefix: it rewrites that user's proxy settings.
func TestSystemProxyFromUserSettings(t *testing.T) {
	if os.Getenv("TRL_SYSTEM_PROXY_TEST") == "" {
		t.Skip("rewrites the user's proxy settings: run through make test-windows-proxy (a Wine prefix)")
	}
	t.Cleanup(func() {
		exec.Command("reg", "delete", internetSettings, "/v", "DefaultConnectionSettings", "/f").Run()
	})
	s := startSandbox(t, sandbox.Options{TLS: true, TLSNames: []string{"teleradyoloji.test"}})
	// Not t.TempDir: Wine 8 fails its RemoveAll ("Invalid function").
	dir, err := os.MkdirTemp("", "trl-system-proxy")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, s.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	proxyAddr, tunnels, asked := connectProxy(t, "", "", strings.TrimPrefix(s.URL(), "https://"))
	// No "proxy" key: on Windows the default is "system".
	remote := func() *Client {
		base := "https://teleradyoloji.test"
		cfg := fmt.Sprintf(`{"institution_code":%q,"password":%q,"application_code":%q,"ogn_url":%q,`+
			`"api_url":%q,"viewer_url":%q,"ca_file":%q,"retries":0,"prewarm":false}`,
			sandbox.InstitutionCode, sandbox.Password, sandbox.ApplicationCode, base,
			base+"/integrationapi", base+"/viewer/", ca)
		c, err := NewFromJSON([]byte(cfg))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		return c
	}

	// 1. A static proxy with a bypass list.
	setUserProxy(t, 1|2, proxyAddr, "<local>;bypass.test;*.intranet.test", "")
	static := remote()
	url, err := static.ViewerURL("ACC-SYSTEM", "", "")
	if err != nil || !strings.HasPrefix(url, "https://teleradyoloji.test/viewer/#/viewpatient?otac=") {
		t.Fatal(url, err)
	}
	t.Logf("static proxy: %d tunnels through the proxy, last asked for %v", tunnels.Load(), asked.Load())
	if tunnels.Load() == 0 || asked.Load() != "teleradyoloji.test:443" {
		t.Fatalf("static proxy: %d tunnels, asked for %v", tunnels.Load(), asked.Load())
	}
	for hostport, want := range map[string]string{
		"teleradyoloji.test:443": proxyAddr,
		"bypass.test:443":        "",
		"pacs:443":               "", // <local>
		"ris.intranet.test:443":  "",
		"127.0.0.1:443":          "", // loopback, always
	} {
		if got, err := sysproxy.For(hostport); got != want || err != nil {
			t.Errorf("static: For(%q) = %q, %v; want %q", hostport, got, err, want)
		}
	}
	// Loopback goes direct: a client of a plain loopback sandbox, default proxy.
	plain := startSandbox(t, sandbox.Options{})
	before := tunnels.Load()
	if _, err := newClient(t, plain, "").ServiceToken(); err != nil {
		t.Fatal(err)
	}
	if tunnels.Load() != before {
		t.Fatal("loopback went through the system proxy")
	}

	// 2. A PAC script, evaluated by WinHTTP per host.
	pac := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ns-proxy-autoconfig")
		fmt.Fprintf(w, `function FindProxyForURL(url, host) {
  if (host == "teleradyoloji.test") return "PROXY %s";
  return "DIRECT";
}`, proxyAddr)
	}))
	t.Cleanup(pac.Close)
	setUserProxy(t, 1|4, "", "", pac.URL+"/proxy.pac")
	// Clients with equal settings share connections: the static step's
	// client, still open, would lend its kept tunnel to the next one.
	static.Close()
	before = tunnels.Load()
	if _, err := remote().ViewerURL("ACC-PAC", "", ""); err != nil {
		t.Fatal(err)
	}
	t.Logf("PAC: %d more tunnels through the proxy", tunnels.Load()-before)
	if tunnels.Load() == before {
		t.Fatal("the PAC script's proxy was not used")
	}
	for hostport, want := range map[string]string{"teleradyoloji.test:443": proxyAddr, "other.test:443": ""} {
		if got, err := sysproxy.For(hostport); got != want || err != nil {
			t.Errorf("PAC: For(%q) = %q, %v; want %q", hostport, got, err, want)
		}
	}
}
