package sandbox

import (
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// serviceToken is a token from s for the tests' requests.
func serviceToken(t *testing.T, s *Server) string {
	t.Helper()
	_, body := post(t, s.URL()+"/connect/token", "application/x-www-form-urlencoded",
		form("client_id", ClientID, "grant_type", GrantType, "UserName", InstitutionCode, "Password", Password,
			"ApplicationCode", ApplicationCode), "")
	return strings.Split(strings.Split(body, `"access_token":"`)[1], `"`)[0]
}

func openOTAC(t *testing.T, s *Server, otac string) (int, string) {
	t.Helper()
	code, body, err := fasthttp.Get(nil, s.ViewerURL()+"api/open?otac="+otac)
	if err != nil {
		t.Fatal(err)
	}
	return code, string(body)
}

// TestOTACsKeptAreBounded (issue 19, finding 6): the sandbox keeps at most
// MaxOTACs, the oldest dropped first, used or not; the newest still open
// once, with their own accession.
func TestOTACsKeptAreBounded(t *testing.T) {
	s, err := Start(Options{MaxOTACs: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetConfig(Config{OTACShape: "text"})
	tok := serviceToken(t, s)
	var otacs []string
	for i := 0; i < 50; i++ {
		_, otac := post(t, s.APIURL()+"/postOTAC", "application/json", `{"AccessionNumber":"B-`+string(rune('a'+i%26))+`"}`, tok)
		otacs = append(otacs, otac)
		if i == 0 {
			if code, _ := openOTAC(t, s, otac); code != 200 { // used, then dropped with the rest
				t.Fatalf("open: %d", code)
			}
		}
		if n := s.Stats().OTACsKept; n > 3 {
			t.Fatalf("%d OTACs kept after %d issued, max 3", n, i+1)
		}
	}
	if code, _ := openOTAC(t, s, otacs[0]); code != 404 {
		t.Fatalf("the oldest OTAC: %d, want 404 (dropped)", code)
	}
	if code, body := openOTAC(t, s, otacs[49]); code != 200 || !strings.Contains(body, `"accession":"B-x"`) {
		t.Fatalf("the newest OTAC: %d %s", code, body)
	}
}

// TestOTACsExpire: an OTAC past its lifetime is dropped, used or not.
func TestOTACsExpire(t *testing.T) {
	s, err := Start(Options{OTACLifetime: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetConfig(Config{OTACShape: "text"})
	tok := serviceToken(t, s)
	_, first := post(t, s.APIURL()+"/postOTAC", "application/json", `{"AccessionNumber":"C-1"}`, tok)
	post(t, s.APIURL()+"/postOTAC", "application/json", `{"AccessionNumber":"C-2"}`, tok)
	if n := s.Stats().OTACsKept; n != 1 {
		t.Fatalf("%d OTACs kept, want the last one only", n)
	}
	if code, _ := openOTAC(t, s, first); code != 404 {
		t.Fatalf("an expired OTAC: %d, want 404", code)
	}
}
