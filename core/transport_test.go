package core

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

func TestTLSVerifiedWithCAFile(t *testing.T) {
	s := startSandbox(t, sandbox.Options{TLS: true})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, s.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	cl := newClient(t, s, fmt.Sprintf(`"ca_file":%q`, ca))
	url, err := cl.ViewerURL("ACC-TLS", "", "")
	if err != nil || !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("%q %v", url, err)
	}
	// Without the test CA the certificate is not trusted: no way to turn
	// verification off.
	untrusted := newClient(t, s, "")
	_, err = untrusted.ServiceToken()
	e := wantStatus(t, err, NetworkError)
	if !strings.Contains(e.Message, "not trusted") || e.Retryable {
		t.Fatalf("%+v", e)
	}
	if n := s.Stats().TokenRequests; n != 1 {
		t.Fatalf("%d token requests reached the server (the untrusted one must not)", n)
	}
}

func TestPlainHTTPToTLSServer(t *testing.T) {
	s := startSandbox(t, sandbox.Options{TLS: true})
	cfg := strings.ReplaceAll(s.ConfigJSON(`"retries":0`), "https://", "http://")
	cl, err := NewFromJSON([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	_, err = cl.ServiceToken()
	if st := StatusOf(err); st != ProtocolError && st != NetworkError && st != HTTPError {
		t.Fatalf("%v", err)
	}
}

// connectProxy is an HTTP CONNECT proxy demanding Basic user:pass (none
// when user is ""); it
// connects every tunnel to target and records the last address asked for.
func connectProxy(t *testing.T, user, pass, target string) (addr string, tunnels *atomic.Int32, asked *atomic.Value) {
	tunnels, asked = new(atomic.Int32), new(atomic.Value)
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	addr = serveTCP(t, func(c net.Conn) {
		defer c.Close()
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil || req.Method != http.MethodConnect {
			return
		}
		if user != "" && req.Header.Get("Proxy-Authorization") != want {
			io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
			return
		}
		asked.Store(req.Host)
		up, err := net.Dial("tcp", target)
		if err != nil {
			io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
			return
		}
		defer up.Close()
		tunnels.Add(1)
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		pipe(c, up)
	})
	return addr, tunnels, asked
}

// socks5Proxy is a minimal no-auth SOCKS5 server: every CONNECT (IPv4, IPv6
// or domain name) goes to target; the last domain name asked for is recorded.
func socks5Proxy(t *testing.T, target string) (addr string, tunnels *atomic.Int32, asked *atomic.Value) {
	tunnels, asked = new(atomic.Int32), new(atomic.Value)
	addr = serveTCP(t, func(c net.Conn) {
		defer c.Close()
		buf := make([]byte, 262)
		if _, err := io.ReadFull(c, buf[:2]); err != nil {
			return
		}
		io.ReadFull(c, buf[:buf[1]])
		c.Write([]byte{5, 0})
		if _, err := io.ReadFull(c, buf[:4]); err != nil {
			return
		}
		switch buf[3] {
		case 1:
			io.ReadFull(c, buf[:4+2])
		case 4:
			io.ReadFull(c, buf[:16+2])
		case 3:
			io.ReadFull(c, buf[:1])
			n := int(buf[0])
			io.ReadFull(c, buf[:n+2])
			asked.Store(string(buf[:n]))
		default:
			return
		}
		up, err := net.Dial("tcp", target)
		if err != nil {
			c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
			return
		}
		defer up.Close()
		tunnels.Add(1)
		c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0})
		pipe(c, up)
	})
	return addr, tunnels, asked
}

func pipe(a, b net.Conn) {
	done := make(chan struct{}, 2)
	go func() { io.Copy(a, b); done <- struct{}{} }()
	go func() { io.Copy(b, a); done <- struct{}{} }()
	<-done
}

func TestProxies(t *testing.T) {
	// The Ministry's hosts are remote HTTPS hosts: here "teleradyoloji.test",
	// which only the proxies know how to reach (they tunnel to the sandbox).
	s := startSandbox(t, sandbox.Options{TLS: true, TLSNames: []string{"teleradyoloji.test"}})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, s.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	sandboxAddr := strings.TrimPrefix(s.URL(), "https://")
	remote := func(proxy string) *Client {
		base := "https://teleradyoloji.test"
		cfg := fmt.Sprintf(`{"institution_code":%q,"password":%q,"application_code":%q,"ogn_url":%q,`+
			`"api_url":%q,"viewer_url":%q,"ca_file":%q,"proxy":%q,"retries":0}`,
			sandbox.InstitutionCode, sandbox.Password, sandbox.ApplicationCode, base,
			base+"/integrationapi", base+"/viewer/", ca, proxy)
		c, err := NewFromJSON([]byte(cfg))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		return c
	}
	httpAddr, httpTunnels, httpAsked := connectProxy(t, "vekil", "Vekil-Sifre-9", sandboxAddr)
	socksAddr, socksTunnels, socksAsked := socks5Proxy(t, sandboxAddr)

	url, err := remote("http://vekil:Vekil-Sifre-9@"+httpAddr).ViewerURL("ACC-PROXY", "", "")
	if err != nil || !strings.HasPrefix(url, "https://teleradyoloji.test/viewer/#/viewpatient?otac=") {
		t.Fatal(url, err)
	}
	if httpTunnels.Load() == 0 || httpAsked.Load() != "teleradyoloji.test:443" {
		t.Fatalf("HTTP proxy: %d tunnels, asked for %v", httpTunnels.Load(), httpAsked.Load())
	}
	_, err = remote("http://vekil:Yanlis-Sifre-7@" + httpAddr).ServiceToken()
	wantStatus(t, err, NetworkError, "Yanlis-Sifre-7")

	if _, err := remote("socks5://"+socksAddr).ViewerURL("ACC-SOCKS", "", ""); err != nil {
		t.Fatal(err)
	}
	if socksTunnels.Load() == 0 || socksAsked.Load() != "teleradyoloji.test" {
		t.Fatalf("SOCKS5 proxy: %d tunnels, asked for %v", socksTunnels.Load(), socksAsked.Load())
	}

	t.Setenv("HTTPS_PROXY", "http://vekil:Vekil-Sifre-9@"+httpAddr)
	t.Setenv("NO_PROXY", "")
	before := httpTunnels.Load()
	if _, err := remote("env").ServiceToken(); err != nil {
		t.Fatal(err)
	}
	if httpTunnels.Load() == before {
		t.Fatal("proxy \"env\" did not use HTTPS_PROXY")
	}

	// "system" outside Windows is the environment.
	before = httpTunnels.Load()
	if _, err := remote("system").ServiceToken(); err != nil {
		t.Fatal(err)
	}
	if httpTunnels.Load() == before {
		t.Fatal("proxy \"system\" did not use HTTPS_PROXY outside Windows")
	}

	// Loopback is never proxied, explicit or from the environment: the
	// password must not reach a proxy in clear text.
	plain := startSandbox(t, sandbox.Options{})
	before = httpTunnels.Load()
	for _, proxy := range []string{"http://vekil:Vekil-Sifre-9@" + httpAddr, "env", "system"} {
		if _, err := newClient(t, plain, fmt.Sprintf(`"proxy":%q`, proxy)).ServiceToken(); err != nil {
			t.Fatal(err)
		}
	}
	if httpTunnels.Load() != before {
		t.Fatal("loopback went through the proxy")
	}
}

// serveTCP accepts loopback connections, each handled by handle, until the
// test ends; it returns the address.
func serveTCP(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go handle(c)
		}
	}()
	return ln.Addr().String()
}

// TestHandshakeWithinTimeout: a server that accepts TCP but never speaks TLS
// cannot stretch a call past timeout_ms.
func TestHandshakeWithinTimeout(t *testing.T) {
	addr := serveTCP(t, func(c net.Conn) { time.Sleep(3 * time.Second); c.Close() })
	cl, err := NewFromJSON([]byte(fmt.Sprintf(`{"institution_code":"1","password":"p","application_code":"a",`+
		`"ogn_url":"https://%s","timeout_ms":300,"retries":0}`, addr)))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = cl.ServiceToken()
	wantStatus(t, err, Timeout)
	if d := time.Since(start); d > time.Second {
		t.Fatalf("took %v", d)
	}
}

// TestStaleConnectionRetriedOnce: a connection closed without an answer is
// retried once even with retries 0 (token and postOTAC are safe to repeat).
func TestStaleConnectionRetriedOnce(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	cl := newClient(t, s, `"retries":0`)
	s.AddFault(sandbox.Fault{Target: "any", Kind: "close", Count: 1})
	if _, err := cl.ViewerURL("ACC", "", ""); err != nil {
		t.Fatal(err)
	}
	s.AddFault(sandbox.Fault{Target: "otac", Kind: "close", Count: 2})
	_, err := cl.ViewerURL("ACC", "", "")
	wantStatus(t, err, NetworkError)
}
