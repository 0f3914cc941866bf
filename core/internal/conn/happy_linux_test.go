package conn

import (
	"context"
	"fmt"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"
)

// blackholeOn listens on ip with a full accept queue (backlog 0, one
// connection never accepted): the kernel drops every further SYN, as a
// firewall does. It returns the port.
func blackholeOn(t *testing.T, ip [4]byte) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: ip}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := syscall.Getsockname(fd)
	port := sa.(*syscall.SockaddrInet4).Port
	filler, err := net.Dial("tcp", fmt.Sprintf("%d.%d.%d.%d:%d", ip[0], ip[1], ip[2], ip[3], port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { filler.Close() })
	return port
}

// countedAttempts records the addresses the real dialer tries.
type countedAttempts struct {
	attempts
	mu    *sync.Mutex
	tried *[]string
}

func (a countedAttempts) start(i int, ip net.IP) {
	a.mu.Lock()
	*a.tried = append(*a.tried, ip.String())
	a.mu.Unlock()
	a.attempts.start(i, ip)
}

// TestHappyEyeballsBlockingSockets: the Linux dialer (non-blocking connects
// raced with ppoll, the winner a blocking socket) with a blackholed first
// address: the live second one wins, the first is remembered, and the next
// dial does not try it.
func TestHappyEyeballsBlockingSockets(t *testing.T) {
	port := blackholeOn(t, [4]byte{127, 0, 0, 2})
	live, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	go func() {
		for {
			c, err := live.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("ok"))
		}
	}()
	p := New(Options{})
	p.dns.lookup = func(context.Context, string) ([]net.IPAddr, error) {
		return []net.IPAddr{{IP: net.ParseIP("127.0.0.2")}, {IP: net.ParseIP("127.0.0.1")}}, nil
	}
	var mu sync.Mutex
	var tried []string
	p.attempts = func(port int, deadline time.Time) attempts {
		return countedAttempts{newAttempts(port, deadline), &mu, &tried}
	}
	addr := fmt.Sprintf("ministry.test:%d", port)
	for i, want := range [][]string{{"127.0.0.2", "127.0.0.1"}, {"127.0.0.1"}} {
		tried = nil
		c, err := p.dialTCP(addr, time.Now().Add(30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.(*blockingConn); !ok {
			t.Fatalf("dial %d: a %T, want a blocking socket", i+1, c)
		}
		if got := c.RemoteAddr().String(); got != fmt.Sprintf("127.0.0.1:%d", port) {
			t.Fatalf("dial %d won by %s", i+1, got)
		}
		buf := make([]byte, 2)
		if n, err := c.Read(buf); n != 2 || err != nil {
			t.Fatalf("dial %d: read %d %v", i+1, n, err)
		}
		c.Close()
		if fmt.Sprint(tried) != fmt.Sprint(want) {
			t.Fatalf("dial %d tried %v, want %v", i+1, tried, want)
		}
	}
}
