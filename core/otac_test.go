package core

import (
	"strings"
	"testing"
)

const guideOTAC = "g5QYrE7NKFVnHfSea9nfCrevL3FtL3zHilHyUzigUug"

func TestParseOTACResponse(t *testing.T) {
	url := "https://teleradyoloji.saglik.gov.tr/viewer/#/viewpatient?otac=" + guideOTAC
	cases := []struct {
		name, ctype, body string
		want              string // "" means an error
		status            Status
	}{
		{"text", "text/plain", guideOTAC, guideOTAC, OK},
		{"text with newline", "text/plain", guideOTAC + "\r\n", guideOTAC, OK},
		{"bom", "text/plain", "\xef\xbb\xbf" + guideOTAC, guideOTAC, OK},
		{"json string", "application/json", `"` + guideOTAC + `"`, guideOTAC, OK},
		{"otac", "application/json", `{"otac":"` + guideOTAC + `"}`, guideOTAC, OK},
		{"Otac", "application/json", `{"Otac":"` + guideOTAC + `"}`, guideOTAC, OK},
		{"OTAC", "application/json", `{"OTAC":"` + guideOTAC + `"}`, guideOTAC, OK},
		{"url key", "application/json", `{"url":"` + url + `"}`, guideOTAC, OK},
		{"Url key", "application/json", `{"Url":"` + url + `"}`, guideOTAC, OK},
		{"data", "application/json", `{"data":"` + guideOTAC + `"}`, guideOTAC, OK},
		{"value", "application/json", `{"value":"` + guideOTAC + `"}`, guideOTAC, OK},
		{"result", "application/json", `{"result":"` + guideOTAC + `"}`, guideOTAC, OK},
		{"envelope", "application/json", `{"Data":"` + guideOTAC + `","IsSuccess":true,"Message":null}`, guideOTAC, OK},
		{"envelope nested", "application/json", `{"Data":{"Otac":"` + guideOTAC + `"},"IsSuccess":true}`, guideOTAC, OK},
		{"envelope url", "application/json", `{"Data":"` + url + `","IsSuccess":true}`, guideOTAC, OK},
		{"bare url", "text/plain", url, guideOTAC, OK},
		{"json url", "application/json", `"` + url + `"`, guideOTAC, OK},
		{"url escaped", "text/plain", "https://x/viewer/#/viewpatient?otac=a%2Bb%2Fc%3D", "a+b/c=", OK},
		{"url plus kept", "text/plain", "https://x/viewer/#/viewpatient?otac=a+b", "a+b", OK},
		{"url in query", "text/plain", "https://x/viewer/?otac=abc123", "abc123", OK},
		{"url other params", "text/plain", "https://x/viewer/#/viewpatient?lang=tr&otac=abc123", "abc123", OK},
		{"is success false", "application/json", `{"Data":null,"IsSuccess":false,"Message":"Tetkik bulunamadı"}`, "", HTTPError},
		{"empty", "text/plain", "", "", ProtocolError},
		{"html", "text/html", "<html><body>login</body></html>", "", ProtocolError},
		{"array", "application/json", `["` + guideOTAC + `"]`, "", ProtocolError},
		{"object without value", "application/json", `{"foo":"bar"}`, "", ProtocolError},
		{"number", "application/json", `{"otac":42}`, "", ProtocolError},
		{"bad characters", "text/plain", "abc def", "", ProtocolError},
		{"url without otac", "text/plain", "https://x/viewer/#/viewpatient", "", ProtocolError},
		{"broken json", "application/json", `{"otac":`, "", ProtocolError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseOTACResponse(&response{status: 200, contentType: c.ctype, body: []byte(c.body)})
			e := wantStatus(t, err, c.status, guideOTAC)
			if got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
			if e != nil && c.status == HTTPError && (e.HTTPStatus != 200 || !strings.Contains(e.ServerErrorDescription, "Tetkik")) {
				t.Fatalf("envelope error: %+v", e)
			}
		})
	}
}

func TestBuildViewerURL(t *testing.T) {
	cases := []struct{ base, otac, want string }{
		{"https://teleradyoloji.saglik.gov.tr/viewer/", guideOTAC,
			"https://teleradyoloji.saglik.gov.tr/viewer/#/viewpatient?otac=" + guideOTAC},
		{"https://teleradyoloji.saglik.gov.tr/viewer", guideOTAC,
			"https://teleradyoloji.saglik.gov.tr/viewer/#/viewpatient?otac=" + guideOTAC},
		{"https://v.example", "a+b/c=d-._~", "https://v.example/#/viewpatient?otac=a%2Bb%2Fc%3Dd-._~"},
	}
	for _, c := range cases {
		cfg := DefaultConfig()
		cfg.InstitutionCode, cfg.Password, cfg.ApplicationCode, cfg.ViewerURL = "1", "p", "a", c.base
		cl, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := cl.BuildViewerURL(c.otac)
		if err != nil || got != c.want {
			t.Errorf("BuildViewerURL(%q) on %q = %q, %v; want %q", c.otac, c.base, got, err, c.want)
		}
	}
	cl, _ := New(Config{InstitutionCode: "1", Password: "p", ApplicationCode: "a", ClientID: "c", GrantType: "g",
		OGNURL: DefaultOGNURL, APIURL: DefaultAPIURL, ViewerURL: DefaultViewerURL, Timeout: 1, ViewerTokenCacheSize: 1, MaxResponseBytes: 1024})
	for _, bad := range []string{"", "a b", "ş", "a&b", "a%20", strings.Repeat("a", 1025)} {
		if _, err := cl.BuildViewerURL(bad); StatusOf(err) != InvalidArgument {
			t.Errorf("BuildViewerURL(%q): %v", bad, err)
		}
	}
}
