package core

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

func TestEveryStatusHasTurkish(t *testing.T) {
	for s := OK; s <= LastStatus+1; s++ {
		tr := StatusTurkish(s)
		if tr == "" || !strings.HasSuffix(tr, ".") {
			t.Errorf("%s: %q", s.Name(), tr)
		}
		if s != OK {
			checkTurkish(t, &Error{Status: s, Message: "x"})
		}
	}
	if !strings.Contains(string(ErrorJSON(fmt.Errorf("foreign"))), `"message_tr":"Kütüphanede`) {
		t.Error("a foreign error")
	}
}

// TestTurkishErrorPaths provokes each kind of failure and checks its
// Turkish message says what a person at the hospital needs to hear.
func TestTurkishErrorPaths(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	closed := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return "http://" + ln.Addr().String()
	}()
	tlsSandbox := startSandbox(t, sandbox.Options{TLS: true})
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"wrong password", func() error {
			c, _ := NewFromJSON([]byte(strings.Replace(s.ConfigJSON(""), sandbox.Password, "Yanlis-1!", 1)))
			defer c.Close()
			_, err := c.ServiceToken()
			return err
		}, "e-Nabız şifresi veya kurum kodu hatalı"},
		{"closed port", func() error {
			c := newClient(t, s, fmt.Sprintf(`"ogn_url":%q,"retries":0`, closed))
			_, err := c.ServiceToken()
			return err
		}, "Bakanlık sunucusuna bağlanılamıyor (bağlantı reddedildi)"},
		{"DNS", func() error {
			c := newClient(t, s, `"ogn_url":"https://yok.invalid","retries":0,"timeout_ms":5000`)
			_, err := c.ServiceToken()
			return err
		}, "DNS"},
		{"untrusted certificate", func() error {
			c := newClient(t, tlsSandbox, `"retries":0`)
			_, err := c.ServiceToken()
			return err
		}, "TLS denetimi"},
		{"403", func() error {
			s.AddFault(sandbox.Fault{Target: "api", Kind: "status", Status: 403, Count: 1})
			_, err := newClient(t, s, "").Call("GET", "echo", nil)
			return err
		}, "IP adresi"},
		{"timeout", func() error {
			s.AddFault(sandbox.Fault{Target: "token", Kind: "latency", DelayMS: 1500, Count: 1})
			_, err := newClient(t, s, `"timeout_ms":300,"retries":0`).ServiceToken()
			return err
		}, "zamanında yanıt vermedi"},
		{"not found", func() error {
			_, err := newClient(t, s, "").ViewerURL("NOT-FOUND", "", "")
			return err
		}, "Bakanlık sunucusu işlemi yapamadı. Sunucunun açıklaması: Tetkik bulunamadı"},
		{"5xx", func() error {
			s.AddFault(sandbox.Fault{Target: "api", Kind: "status", Status: 503, Count: 0})
			defer s.Reset()
			_, err := newClient(t, s, `"retries":0`).Call("GET", "echo", nil)
			return err
		}, "geçici bir sorun var (HTTP 503)"},
		{"missing password", func() error {
			_, err := ParseConfig([]byte(`{"institution_code":"1","application_code":"A"}`))
			return err
		}, "e-Nabız şifresi (password) boş"},
		{"bad URL", func() error {
			_, err := ParseConfig([]byte(`{"institution_code":"1","password":"p","application_code":"A","ogn_url":"http://ogn.example"}`))
			return err
		}, "http:// yalnızca bu bilgisayar"},
		{"unknown key", func() error {
			_, err := ParseConfig([]byte(`{"pasword":"x"}`))
			return err
		}, `bilinmeyen bir anahtar var: "pasword"`},
		{"number out of range", func() error {
			_, err := ParseConfig([]byte(`{"timeout_ms":0}`))
			return err
		}, "1 ile 3600000 arasında olmalı"},
		{"ca_file", func() error {
			p := filepath.Join(t.TempDir(), "ca.pem")
			os.WriteFile(p, []byte("not pem"), 0o600)
			_, err := NewFromJSON([]byte(s.ConfigJSON(fmt.Sprintf(`"ca_file":%q`, p))))
			return err
		}, "PEM"},
		{"empty accession", func() error {
			_, err := newClient(t, s, "").ViewerURL("", "", "")
			return err
		}, "Tetkik numarası (accession) boş"},
		{"identity number", func() error {
			_, err := newClient(t, s, "").ViewerURL("A", "1\n2", "")
			return err
		}, "Hekimin T.C. kimlik numarası"},
		{"bad path", func() error {
			_, err := newClient(t, s, "").Call("GET", "../x", nil)
			return err
		}, "Servis yolu (path) geçersiz"},
		{"bad OTAC", func() error {
			_, err := newClient(t, s, "").BuildViewerURL("a b")
			return err
		}, "Görüntüleme kodu (OTAC)"},
		{"malformed answer", func() error {
			s.AddFault(sandbox.Fault{Target: "token", Kind: "malformed", Count: 1})
			_, err := newClient(t, s, "").ServiceToken()
			return err
		}, "anlaşılamayan bir yanıt"},
		{"401 on a caller's token", func() error {
			_, err := newClient(t, s, "").PostOTAC("yok-boyle-bir-token", "ACC")
			return err
		}, "token) kabul etmedi (HTTP 401)"},
	}
	for _, c := range cases {
		err := c.run()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		checkTurkish(t, err)
		if tr := TurkishMessage(err); !strings.Contains(tr, c.want) {
			t.Errorf("%s: message_tr %q lacks %q", c.name, tr, c.want)
		}
	}
}

func TestTurkishMasksIdentityNumbers(t *testing.T) {
	err := &Error{Status: HTTPError, HTTPStatus: 400, ServerErrorDescription: "hasta 12345678901 yok"}
	if j := string(ErrorJSON(err)); strings.Contains(j, "12345678901") || !strings.Contains(j, "123******01") {
		t.Fatal(j)
	}
}
