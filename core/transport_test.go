package core

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

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

// connectProxy is an HTTP CONNECT proxy demanding Basic user:pass.
func connectProxy(t *testing.T, user, pass string) (addr string, tunnels *atomic.Int32) {
	tunnels = new(atomic.Int32)
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	addr = serveTCP(t, func(c net.Conn) {
		defer c.Close()
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil || req.Method != http.MethodConnect {
			return
		}
		if req.Header.Get("Proxy-Authorization") != want {
			io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
			return
		}
		up, err := net.Dial("tcp", req.Host)
		if err != nil {
			io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
			return
		}
		defer up.Close()
		tunnels.Add(1)
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		pipe(c, up)
	})
	return addr, tunnels
}

// socks5Proxy is a minimal no-auth SOCKS5 server (CONNECT to IPv4 only).
func socks5Proxy(t *testing.T) (addr string, tunnels *atomic.Int32) {
	tunnels = new(atomic.Int32)
	addr = serveTCP(t, func(c net.Conn) {
		defer c.Close()
		buf := make([]byte, 262)
		if _, err := io.ReadFull(c, buf[:2]); err != nil {
			return
		}
		io.ReadFull(c, buf[:buf[1]])
		c.Write([]byte{5, 0})
		if _, err := io.ReadFull(c, buf[:4]); err != nil || buf[3] != 1 {
			return
		}
		io.ReadFull(c, buf[:6])
		target := net.JoinHostPort(net.IP(buf[:4]).String(), fmt.Sprint(binary.BigEndian.Uint16(buf[4:6])))
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
	return addr, tunnels
}

func pipe(a, b net.Conn) {
	done := make(chan struct{}, 2)
	go func() { io.Copy(a, b); done <- struct{}{} }()
	go func() { io.Copy(b, a); done <- struct{}{} }()
	<-done
}

func TestProxies(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	httpAddr, httpTunnels := connectProxy(t, "vekil", "Vekil-Sifre-9")
	socksAddr, socksTunnels := socks5Proxy(t)

	cl := newClient(t, s, fmt.Sprintf(`"proxy":"http://vekil:Vekil-Sifre-9@%s"`, httpAddr))
	if _, err := cl.ViewerURL("ACC-PROXY", "", ""); err != nil {
		t.Fatal(err)
	}
	if httpTunnels.Load() == 0 {
		t.Fatal("the HTTP proxy carried nothing")
	}

	bad := newClient(t, s, fmt.Sprintf(`"proxy":"http://vekil:Yanlis-Sifre-7@%s","retries":0`, httpAddr))
	_, err := bad.ServiceToken()
	wantStatus(t, err, NetworkError, "Yanlis-Sifre-7")

	sc := newClient(t, s, fmt.Sprintf(`"proxy":"socks5://%s"`, socksAddr))
	if _, err := sc.ViewerURL("ACC-SOCKS", "", ""); err != nil {
		t.Fatal(err)
	}
	if socksTunnels.Load() == 0 {
		t.Fatal("the SOCKS5 proxy carried nothing")
	}

	// "env": loopback is never proxied, as with Go's own HTTP client.
	t.Setenv("HTTPS_PROXY", "http://"+httpAddr)
	t.Setenv("HTTP_PROXY", "http://"+httpAddr)
	ec := newClient(t, s, `"proxy":"env"`)
	before := httpTunnels.Load()
	if _, err := ec.ServiceToken(); err != nil {
		t.Fatal(err)
	}
	if httpTunnels.Load() != before {
		t.Fatal("loopback went through the environment's proxy")
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
