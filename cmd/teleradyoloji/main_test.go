package main

import (
	"bytes"
	"encoding/json"
	"github.com/teleradyoloji/teleradyoloji/core"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

func startSandbox(t *testing.T) *sandbox.Server {
	t.Helper()
	s, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func doctorRun(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"doctor"}, args...), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestDoctorPasses(t *testing.T) {
	s := startSandbox(t)
	code, out, _ := doctorRun(t, s.ConfigJSON(""))
	if code != 0 || !strings.Contains(out, "Sonuç: bütün denetimler başarılı.") || !strings.Contains(out, "[ OK ] OGN girişi (OGN)") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if strings.Contains(out, sandbox.Password) {
		t.Fatal("the password is in the report")
	}
	file := filepath.Join(t.TempDir(), "ayarlar.json")
	os.WriteFile(file, []byte(s.ConfigJSON("")), 0o600)
	code, out, _ = doctorRun(t, "", file, "--lang", "en")
	if code != 0 || !strings.Contains(out, "Result: every check passed.") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestDoctorPasswordFromEnvironment(t *testing.T) {
	s := startSandbox(t)
	cfg := strings.Replace(s.ConfigJSON(""), sandbox.Password, "", 1) // "password":""
	code, out, _ := doctorRun(t, cfg, "--json")
	if code != 1 || !strings.Contains(out, `"step":"config"`) {
		t.Fatalf("without a password: exit %d: %s", code, out)
	}
	t.Setenv("HBYS_SIFRE", sandbox.Password)
	code, out, _ = doctorRun(t, cfg, "--json", "--password-env", "HBYS_SIFRE")
	var rep struct {
		OK    bool
		Steps []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || !rep.OK || len(rep.Steps) != 19 {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	if strings.Contains(out, sandbox.Password) {
		t.Fatal("the password is in the report")
	}
	t.Setenv("TELERADYOLOJI_PASSWORD", "Yanlis-Parola-5")
	code, out, _ = doctorRun(t, s.ConfigJSON("")) // the environment wins over the file
	if code != 1 || !strings.Contains(out, "[HATA] OGN girişi (OGN)") || !strings.Contains(out, "e-Nabız şifresini") ||
		strings.Contains(out, "Yanlis-Parola-5") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestDoctorFailures(t *testing.T) {
	s := startSandbox(t)
	s.SetConfig(sandbox.Config{BlockIP: func() *bool { b := true; return &b }()})
	code, out, _ := doctorRun(t, s.ConfigJSON(""), "--lang", "en")
	if code != 1 || !strings.Contains(out, "[FAIL] HTTP (OGN)") || !strings.Contains(out, "public IP address") ||
		!strings.Contains(out, "What to do: as above.") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	code, out, _ = doctorRun(t, s.ConfigJSON(""))
	if code != 1 || !strings.Contains(out, "[HATA] HTTP erişimi (OGN)") || !strings.Contains(out, "IP adresi") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestDoctorUsage(t *testing.T) {
	for _, c := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"--lang", "de"}, "{}", "--lang must be tr or en"},
		{nil, "", "ayar yok"},
		{[]string{"--lang", "en"}, "", "no configuration"},
		{[]string{"/yok/boyle/bir/dosya.json"}, "", "ayar dosyası okunamadı"},
		{[]string{"a.json", "b.json"}, "", "one config file at most"},
	} {
		code, _, errOut := doctorRun(t, c.stdin, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q", c.args, code, errOut)
		}
	}
	t.Setenv("TELERADYOLOJI_PASSWORD", "x")
	if code, _, errOut := doctorRun(t, "[1]"); code != 2 || !strings.Contains(errOut, "JSON nesnesi değil") {
		t.Errorf("not an object: exit %d, %q", code, errOut)
	}
	// A refused configuration is a report (exit 1), not a usage error.
	if code, out, _ := doctorRun(t, `{"institution_code":"1"}`); code != 1 || !strings.Contains(out, "[HATA] Ayarlar") {
		t.Errorf("bad config: exit %d:\n%s", code, out)
	}
	var out bytes.Buffer
	if code := run([]string{"version"}, nil, &out, &out); code != 0 || !strings.HasPrefix(out.String(), "teleradyoloji "+core.Version+" ") {
		t.Errorf("version: %d %q", code, out.String())
	}
	if code := run(nil, nil, &out, &out); code != 2 {
		t.Errorf("no command: %d", code)
	}
}

func TestDoctorVerbose(t *testing.T) {
	s := startSandbox(t)
	code, _, errOut := doctorRun(t, s.ConfigJSON(""), "-v")
	if code != 0 || !strings.Contains(errOut, `{"event":"token.fetched"`) || !strings.Contains(errOut, `"event":"doctor.done"`) ||
		strings.Contains(errOut, sandbox.Password) {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}
