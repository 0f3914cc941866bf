package diag

import "testing"

// TestCleanMasksValuesOnly: a password that is a common word is masked
// where it stands as a value, never inside a host name.
func TestCleanMasksValuesOnly(t *testing.T) {
	for text, want := range map[string]string{
		"https://ogn.saglik.gov.tr/connect/token":          "https://ogn.saglik.gov.tr/connect/token",
		"ogn.saglik.gov.tr:443 via saglikproxy:3128":       "ogn.saglik.gov.tr:443 via saglikproxy:3128",
		`{"password":"saglik","proxy":"x"}`:                `{"password":"***","proxy":"x"}`,
		"UserName=1234567&Password=saglik&ApplicationCode": "UserName=1234567&Password=***&ApplicationCode",
		"http://hbys:saglik@proxy.saglik.gov.tr:3128":      "http://hbys:***@proxy.saglik.gov.tr:3128",
		"saglik":                       "***",
		"the password saglik, refused": "the password ***, refused",
		"T.C. 12345678901":             "T.C. 123******01",
	} {
		if got := clean(text, []string{"saglik"}); got != want {
			t.Errorf("clean(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestViaProducts(t *testing.T) {
	for via, want := range map[string]string{
		"":                                    "",
		"1.1 gw.hastane.local (squid/5.7)":    "squid/5.7",
		"1.1 fortigate, 1.0 edge (Zscaler/6)": "fortigate, Zscaler/6",
	} {
		if got := viaProducts(via); got != want {
			t.Errorf("viaProducts(%q) = %q, want %q", via, got, want)
		}
	}
}
