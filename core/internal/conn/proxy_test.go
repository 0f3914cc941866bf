package conn

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teleradyoloji/teleradyoloji/core/internal/logx"
)

// fakeConnectProxy answers every CONNECT with status once release is
// closed (nil: at once), counting them; a 200 leaves the tunnel open.
func fakeConnectProxy(t *testing.T, status int, release chan struct{}) (string, *atomic.Int32) {
	var connects atomic.Int32
	addr := serveTCP(t, func(c net.Conn) {
		defer c.Close()
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil || req.Method != http.MethodConnect {
			return
		}
		connects.Add(1)
		if release != nil {
			<-release
		}
		fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\n\r\n", status, http.StatusText(status))
		io.Copy(io.Discard, c)
	})
	return addr, &connects
}

// TestSystemDirectUsesOwnDialer: with "system" (the Windows default) and
// settings that choose no proxy for a host, its connection is the pool's
// own (the pool's DNS cache, addresses raced, a blocking socket on Linux)
// and is logged as not proxied; a host the settings proxy is tunnelled.
func TestSystemDirectUsesOwnDialer(t *testing.T) {
	live := serveTCP(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	_, port, _ := net.SplitHostPort(live)
	proxyAddr, connects := fakeConnectProxy(t, 200, nil)
	system := func(hostport string) (string, error) {
		if hostport == "proxied.test:443" {
			return proxyAddr, nil
		}
		return "", nil
	}
	p := New(Options{Proxy: proxyChooser("system", system)})
	var lookups atomic.Int32
	p.dns.lookup = func(_ context.Context, host string) ([]net.IPAddr, error) {
		lookups.Add(1)
		if host != "direct.test" {
			return nil, &net.DNSError{Err: "no such host", Name: host}
		}
		return []net.IPAddr{{IP: net.ParseIP("127.0.0.1")}}, nil
	}
	var mu sync.Mutex
	var opened []string
	logx.Set(func(_ logx.Level, event []byte) {
		if bytes.Contains(event, []byte(`"conn.opened"`)) {
			mu.Lock()
			opened = append(opened, string(event))
			mu.Unlock()
		}
	}, logx.Info)
	t.Cleanup(func() { logx.Set(nil, logx.Off) })
	for i := 0; i < 2; i++ {
		c, err := p.connect1(context.Background(), Target{Addr: "direct.test:" + port}, time.Now().Add(5*time.Second), false)
		if err != nil {
			t.Fatal(err)
		}
		if c.raw.RemoteAddr().String() != live {
			t.Fatalf("direct: connected to %v", c.raw.RemoteAddr())
		}
		c.Close()
	}
	if n := lookups.Load(); n != 1 {
		t.Fatalf("%d lookups for 2 direct connections: not the pool's DNS cache", n)
	}
	c, err := p.connect1(context.Background(), Target{Addr: "proxied.test:443"}, time.Now().Add(5*time.Second), false)
	if err != nil || connects.Load() != 1 {
		t.Fatalf("proxied: %v, %d CONNECTs", err, connects.Load())
	}
	c.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(opened) != 3 || !strings.Contains(opened[0], `"proxy":false`) || !strings.Contains(opened[1], `"proxy":false`) ||
		!strings.Contains(opened[2], `"proxy":true`) {
		t.Fatalf("conn.opened events: %v", opened)
	}
}

// TestProxyRefusedLoginNotRepeated: connections racing through a proxy
// whose credentials are not yet known good send one CONNECT; when it gets
// 407 every one fails with it, and later ones fail without asking the
// proxy. Other credentials are asked at once.
func TestProxyRefusedLoginNotRepeated(t *testing.T) {
	release := make(chan struct{})
	addr, connects := fakeConnectProxy(t, 407, release)
	u, _ := url.Parse("http://hbys:Yanlis-Parola-1@" + addr)
	p := New(Options{Proxy: proxyChooser(u.String(), nil)})
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := p.dialRaw(Target{Addr: "ministry.test:443", TLS: true}, time.Now().Add(10*time.Second))
			errs <- err
		}()
	}
	waitForTest(t, "the first CONNECT", func() bool { return connects.Load() == 1 })
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		var auth *ProxyAuthError
		if !errors.As(err, &auth) || !isDialError(err) || auth.Proxy != addr {
			t.Fatalf("want a 407 dial error, got %v", err)
		}
	}
	if _, _, err := p.dialRaw(Target{Addr: "ministry.test:443", TLS: true}, time.Now().Add(time.Second)); !IsProxyAuth(err) {
		t.Fatalf("after a 407: %v", err)
	}
	if n := connects.Load(); n != 1 || !ProxyLoginRefused(u) {
		t.Fatalf("%d CONNECTs, want 1", n)
	}
	other, _ := url.Parse("http://hbys:Dogru-Parola-2@" + addr)
	if ProxyLoginRefused(other) {
		t.Fatal("other credentials are held back")
	}
	p2 := New(Options{Proxy: proxyChooser(other.String(), nil)})
	if _, _, err := p2.dialRaw(Target{Addr: "ministry.test:443", TLS: true}, time.Now().Add(5*time.Second)); !IsProxyAuth(err) || connects.Load() != 2 {
		t.Fatalf("other credentials: %v, %d CONNECTs", err, connects.Load())
	}
}

// TestEnvProxyChoice: "env" decides as Go's net/http does: HTTPS_PROXY for
// https on any port, NO_PROXY, loopback never proxied.
func TestEnvProxyChoice(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://proxy.hastane.test:3128")
	t.Setenv("HTTP_PROXY", "")
	t.Setenv("NO_PROXY", "intranet.test")
	choose := ProxyChooser("env")
	for _, c := range []struct {
		t    Target
		want string
	}{
		{Target{"ministry.test:443", true}, "proxy.hastane.test:3128"},
		{Target{"ministry.test:8443", true}, "proxy.hastane.test:3128"},
		{Target{"ministry.test:80", false}, ""},
		{Target{"a.intranet.test:443", true}, ""},
		{Target{"127.0.0.1:443", true}, ""},
		{Target{"localhost:8443", true}, ""},
	} {
		u, err := choose(c.t)
		got := ""
		if u != nil {
			got = u.Host
		}
		if err != nil || got != c.want {
			t.Errorf("%v: %q %v, want %q", c.t, got, err, c.want)
		}
	}
}
