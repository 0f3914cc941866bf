package sandbox

import (
	"crypto/tls"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

func get(t *testing.T, u string) (int, string, string) {
	t.Helper()
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(u)
	if err := fasthttp.DoTimeout(req, resp, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode(), string(resp.Body()), string(resp.Header.Peek("Date"))
}

func TestBlockIPAndDateSkew(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, _, date := get(t, s.URL()+"/viewer/")
	if d, err := time.Parse(time.RFC1123, date); err != nil || time.Since(d).Abs() > 5*time.Second {
		t.Fatalf("Date %q", date)
	}
	if st, _ := post(t, s.URL()+"/_sandbox/config", "application/json", `{"block_ip":true,"date_skew_s":-600}`, ""); st != 200 {
		t.Fatal(st)
	}
	st, body, date := get(t, s.URL()+"/integrationapi/echo")
	if st != 403 || !strings.Contains(body, "IP adresiniz") || !strings.Contains(body, "<h1>403 Forbidden</h1>") {
		t.Fatalf("%d %s", st, body)
	}
	if d, err := time.Parse(time.RFC1123, date); err != nil || time.Since(d) < 590*time.Second || time.Since(d) > 610*time.Second {
		t.Fatalf("skewed Date %q", date)
	}
	if st, _ := post(t, s.URL()+"/_sandbox/reset", "application/json", "", ""); st != 200 {
		t.Fatal("control endpoints stay open")
	}
	if st, _, _ := get(t, s.URL()+"/viewer/"); st != 200 {
		t.Fatalf("after reset: %d", st)
	}
}

func TestFaultServers(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := func(kind string) string {
		st, body := post(t, s.URL()+"/_sandbox/fault_server", "application/json", `{"kind":"`+kind+`"}`, "")
		var out struct{ URL string }
		if st != 200 || json.Unmarshal([]byte(body), &out) != nil || !strings.HasPrefix(out.URL, "https://127.0.0.1:") {
			t.Fatalf("%s: %d %s", kind, st, body)
		}
		return strings.TrimPrefix(out.URL, "https://")
	}
	if _, err := net.DialTimeout("tcp", start("refused"), 2*time.Second); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("refused: %v", err)
	}
	if _, err := net.DialTimeout("tcp", start("blackhole"), 500*time.Millisecond); err == nil {
		t.Errorf("blackhole answered")
	} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Errorf("blackhole: %v, want a timeout", err)
	}
	c, err := tls.Dial("tcp", start("reset"), &tls.Config{InsecureSkipVerify: true})
	if err == nil {
		c.Close()
		t.Errorf("reset: the handshake succeeded")
	}
	_, err = tls.Dial("tcp", start("tls_unknown_issuer"), &tls.Config{ServerName: "localhost"})
	if err == nil || !strings.Contains(err.Error(), "unknown authority") {
		t.Errorf("unknown issuer: %v", err)
	}
	if st, _ := post(t, s.URL()+"/_sandbox/fault_server", "application/json", `{"kind":"x"}`, ""); st != 400 {
		t.Errorf("an unknown kind: %d", st)
	}
}

func TestProxy(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	target := strings.TrimPrefix(s.URL(), "http://")
	for _, c := range []struct {
		opts ProxyOptions
		auth string
		want string
	}{
		{ProxyOptions{Mode: "refuse"}, "", "HTTP/1.1 403"},
		{ProxyOptions{Mode: "auth", User: "u", Password: "p"}, "", "HTTP/1.1 407"},
		{ProxyOptions{Mode: "auth", User: "u", Password: "p"}, "Proxy-Authorization: Basic dTpw\r\n", "HTTP/1.1 200"},
		{ProxyOptions{Mode: "tunnel"}, "", "HTTP/1.1 200"},
	} {
		c.opts.Target = target
		p, err := StartProxy(c.opts)
		if err != nil {
			t.Fatal(err)
		}
		conn, err := net.Dial("tcp", p.Addr())
		if err != nil {
			t.Fatal(err)
		}
		conn.Write([]byte("CONNECT ogn.saglik.test:443 HTTP/1.1\r\nHost: ogn.saglik.test:443\r\n" + c.auth + "\r\n"))
		buf := make([]byte, 64)
		n, _ := conn.Read(buf)
		if !strings.HasPrefix(string(buf[:n]), c.want) {
			t.Errorf("%+v: %q", c.opts, buf[:n])
		}
		conn.Close()
		if got := p.Connects(); len(got) != 1 || got[0] != "ogn.saglik.test:443" {
			t.Errorf("connects: %v", got)
		}
		p.Close()
	}
}
