package core

import (
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	const creds = `"institution_code":"1234567","password":"Gizli-Parola-2026!","application_code":"HBYS"`
	cases := []struct {
		name, json string
		errHas     string // "" means valid
		check      func(t *testing.T, c Config)
	}{
		{"defaults", `{` + creds + `}`, "", func(t *testing.T, c Config) {
			if c.ClientID != "ogn.sbys.api" || c.GrantType != "client_sbys" ||
				c.OGNURL != "https://ogn.saglik.gov.tr" ||
				c.APIURL != "https://app.teletip.saglik.gov.tr/integrationapi" ||
				c.ViewerURL != "https://teleradyoloji.saglik.gov.tr/viewer" ||
				c.Timeout != 30*time.Second || c.Retries != 2 || c.TokenRefreshMargin != time.Minute ||
				c.DefaultTokenLifetime != 5*time.Minute {
				t.Errorf("defaults: %+v", c)
			}
		}},
		{"trailing slashes", `{` + creds + `,"ogn_url":"https://ogn.example/","api_url":"https://api.example/x//"}`, "", func(t *testing.T, c Config) {
			if c.OGNURL != "https://ogn.example" || c.APIURL != "https://api.example/x" {
				t.Errorf("urls: %s %s", c.OGNURL, c.APIURL)
			}
		}},
		{"loopback http", `{` + creds + `,"ogn_url":"http://127.0.0.1:8080","api_url":"http://localhost/api","viewer_url":"http://[::1]:9/v/"}`, "", nil},
		{"numbers", `{` + creds + `,"timeout_ms":1500,"retries":0,"token_refresh_margin_s":5}`, "", func(t *testing.T, c Config) {
			if c.Timeout != 1500*time.Millisecond || c.Retries != 0 || c.TokenRefreshMargin != 5*time.Second {
				t.Errorf("numbers: %+v", c)
			}
		}},
		{"null is absent", `{` + creds + `,"proxy":null}`, "", nil},
		{"unknown key", `{` + creds + `,"timeout":5}`, `unknown key "timeout"`, nil},
		{"missing password", `{"institution_code":"1","application_code":"x"}`, `"password" is required`, nil},
		{"blank institution", `{"institution_code":"  ","password":"p","application_code":"x"}`, `"institution_code" is required`, nil},
		{"http to the network", `{` + creds + `,"ogn_url":"http://ogn.saglik.gov.tr"}`, "non-loopback", nil},
		{"http to 10/8", `{` + creds + `,"api_url":"http://10.0.0.1"}`, "non-loopback", nil},
		{"credentials in url", `{` + creds + `,"api_url":"https://u:p@api.example"}`, "credentials", nil},
		{"fragment", `{` + creds + `,"viewer_url":"https://v.example/#/x"}`, "fragment", nil},
		{"empty query", `{` + creds + `,"api_url":"https://api.example/x?"}`, "query", nil},
		{"relative", `{` + creds + `,"viewer_url":"/viewer"}`, "absolute", nil},
		{"wrong type", `{` + creds + `,"retries":"2"}`, `"retries" must be a whole number`, nil},
		{"out of range", `{` + creds + `,"retries":99}`, `"retries" must be between`, nil},
		{"fraction", `{` + creds + `,"timeout_ms":1.5}`, `"timeout_ms"`, nil},
		{"bad proxy", `{` + creds + `,"proxy":"ftp://x"}`, `"proxy"`, nil},
		{"array", `[]`, "not a JSON object", nil},
		{"trailing garbage", `{` + creds + `} x`, "not a JSON object", nil},
		{"empty", ``, "not a JSON object", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(tc.json))
			if tc.errHas == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if tc.check != nil {
					tc.check(t, cfg)
				}
				return
			}
			e := wantStatus(t, err, ConfigError)
			if !strings.Contains(e.Message, tc.errHas) {
				t.Fatalf("error %q lacks %q", e.Message, tc.errHas)
			}
		})
	}
}

func TestConfigKeysAreDocumented(t *testing.T) {
	header := readFile(t, "../include/teleradyoloji.h")
	doc := readFile(t, "../docs/configuration.md")
	for _, k := range ConfigKeys() {
		if !strings.Contains(header, k) || !strings.Contains(doc, "`"+k+"`") {
			t.Errorf("config key %q is not documented in the header and docs/configuration.md", k)
		}
	}
}
