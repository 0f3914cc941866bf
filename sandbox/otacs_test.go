package sandbox

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
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

// TestCheckOTACs: the soak's check that no client crossed its answers.
func TestCheckOTACs(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetConfig(Config{OTACShape: "text"})
	tok := serviceToken(t, s)
	_, a := post(t, s.APIURL()+"/postOTAC", "application/json", `{"AccessionNumber":"D-1"}`, tok)
	_, b := post(t, s.APIURL()+"/postOTAC", "application/json", `{"AccessionNumber":"D-2"}`, tok)
	st, body := post(t, s.URL()+"/_sandbox/check_otacs", "application/json",
		`[{"otac":"`+a+`","accession":"D-1"},{"otac":"`+b+`","accession":"D-1"},{"otac":"nope","accession":"D-1"}]`, "")
	if st != 200 || body != `{"checked":3,"crossed":1,"unknown":1}` {
		t.Fatalf("%d %s", st, body)
	}
}

// TestResetFault: the reset fault ends the connection with a TCP reset.
func TestResetFault(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.AddFault(Fault{Target: "api", Kind: "reset", Count: 1})
	c, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /integrationapi/echo HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("want a connection reset, got %v", err)
	}
	waitOpen := func() int { return s.Conns()["main"].Open }
	for i := 0; i < 1000 && waitOpen() != 0; i++ {
		time.Sleep(10 * time.Millisecond) // the server's side closes after the client sees the reset
	}
	if open := s.Conns()["main"].Open; open != 0 {
		t.Fatalf("%d connections still counted open", open)
	}
}
