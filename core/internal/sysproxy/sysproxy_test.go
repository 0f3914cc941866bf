package sysproxy

import "testing"

func TestPickProxy(t *testing.T) {
	for list, want := range map[string]string{
		"proxy.hastane.local:8080":                     "proxy.hastane.local:8080",
		"http=h1:80;https=h2:443":                      "h2:443",
		"http=h1:80":                                   "",
		"ftp=f:21 plain:3128":                          "plain:3128",
		"http://p:3128/":                               "p:3128",
		"HTTPS=secure:8443; http=h:80 ; fallback:3128": "secure:8443",
	} {
		if got := pickProxy(list); got != want {
			t.Errorf("pickProxy(%q) = %q, want %q", list, got, want)
		}
	}
}

func TestBypassed(t *testing.T) {
	list := "<local>;*.saglik.gov.tr; 10.* ;intranet.example:8443"
	for hostport, want := range map[string]bool{
		"pacs:443":                      true, // <local>: no dot
		"ogn.saglik.gov.tr:443":         true,
		"OGN.SAGLIK.GOV.TR:443":         true,
		"saglik.gov.tr.evil.test:443":   false,
		"10.1.2.3:443":                  true,
		"110.1.2.3:443":                 false,
		"intranet.example:8443":         true,
		"intranet.example:443":          false,
		"teleradyoloji.example.com:443": false,
	} {
		host := hostport[:len(hostport)-len(":443")]
		if hostport == "intranet.example:8443" {
			host = "intranet.example"
		}
		if got := bypassed(list, host, hostport); got != want {
			t.Errorf("bypassed(%q) = %v, want %v", hostport, got, want)
		}
	}
}

func TestLoopbackIsDirect(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:9")
	t.Setenv("NO_PROXY", "")
	for _, hp := range []string{"127.0.0.1:443", "localhost:443", "[::1]:443"} {
		if p, err := For(hp); p != "" || err != nil {
			t.Errorf("For(%q) = %q, %v", hp, p, err)
		}
	}
}
