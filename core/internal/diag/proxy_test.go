package diag

import (
	"net/url"
	"strings"
	"testing"

	"github.com/teleradyoloji/teleradyoloji/core/internal/sysproxy"
)

// TestChooseProxy: each setting picks per host as the library does, and
// says why; "system" is never read as a proxy host named "system".
func TestChooseProxy(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://user:pw@envproxy.test:3128")
	t.Setenv("HTTP_PROXY", "")
	t.Setenv("NO_PROXY", "bypass.test")
	windows := func(hostport string) (sysproxy.Choice, error) {
		switch hostport {
		case "ogn.saglik.test:443":
			return sysproxy.Choice{Proxy: "winproxy.test:8080", Source: sysproxy.Static}, nil
		case "api.saglik.test:443":
			return sysproxy.Choice{Proxy: "pacproxy.test:3128", Source: sysproxy.Script, PAC: "http://wpad.test/proxy.pac"}, nil
		}
		return sysproxy.Choice{Source: sysproxy.Bypassed}, nil
	}
	cases := []struct {
		setting string
		system  func(string) (sysproxy.Choice, error)
		url     string
		proxy   string // "" direct
		why     string
	}{
		{"", nil, "https://ogn.saglik.test", "", `"proxy" is not set`},
		{"http://p.test:3128", nil, "https://ogn.saglik.test", "p.test:3128", `the "proxy" setting`},
		{"http://p.test:3128", nil, "http://127.0.0.1:8080", "", "loopback"},
		{"env", nil, "https://ogn.saglik.test", "envproxy.test:3128", "HTTPS_PROXY"},
		{"env", nil, "https://bypass.test", "", "NO_PROXY"},
		{"env", nil, "http://plain.test", "", "HTTP_PROXY is not set"},
		{"system", nil, "https://ogn.saglik.test", "envproxy.test:3128", `"system" off Windows is the environment: the environment's HTTPS_PROXY`},
		{"system", windows, "https://ogn.saglik.test", "winproxy.test:8080", "the proxy server of this user's Windows proxy settings"},
		{"system", windows, "https://api.saglik.test", "pacproxy.test:3128", "the PAC script http://wpad.test/proxy.pac"},
		{"system", windows, "https://viewer.saglik.test", "", "bypass list"},
		{"system", windows, "https://localhost", "", "loopback"},
	}
	for _, c := range cases {
		in := Input{Proxy: c.setting, SystemProxy: c.system}
		u, _ := url.Parse(c.url)
		got, err := in.chooseProxy(u)
		host := ""
		if got.proxy != nil {
			host = got.proxy.Host
		}
		if err != nil || host != c.proxy || !strings.Contains(got.why, c.why) || got.whyTR == "" {
			t.Errorf("%q (%v) for %s: proxy %q (%s | %s), %v; want %q (%s)", c.setting, c.system != nil, c.url,
				host, got.why, got.whyTR, err, c.proxy, c.why)
		}
	}
}
