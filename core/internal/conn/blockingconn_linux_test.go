package conn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestBlockingConn(t *testing.T) {
	addr := serveTCP(t, func(c net.Conn) {
		buf := make([]byte, 5)
		io.ReadFull(c, buf)
		if string(buf) == "hello" {
			c.Write([]byte("merhaba"))
		}
		time.Sleep(300 * time.Millisecond)
		c.Close()
	})
	c, err := dialBlocking(t, addr)
	if err != nil {
		t.Fatal(err)
	}
	if c.LocalAddr().String() == "" || c.RemoteAddr().String() != addr {
		t.Fatalf("addresses %v %v", c.LocalAddr(), c.RemoteAddr())
	}
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "merhaba" {
		t.Fatalf("%q %v", buf, err)
	}
	// A read deadline ends a blocked read with a timeout.
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	start := time.Now()
	_, err = c.Read(buf)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("want a timeout, got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second { // a bound for a loaded machine, not a timing
		t.Fatalf("the deadline took %v", d)
	}
	// The server closing gives io.EOF.
	c.SetReadDeadline(time.Time{})
	if _, err := c.Read(buf); err != io.EOF {
		t.Fatalf("want EOF, got %v", err)
	}
	c.Close()
	if _, err := c.Read(buf); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
	// Nothing listens: a dial error.
	closed := refusingAddr(t)
	if _, err := dialBlocking(t, closed); !isDialError(err) {
		t.Fatalf("want a dial error, got %v", err)
	}
	if _, err := dialBlocking(t, "[::1]:"+closed[len("127.0.0.1:"):]); err == nil {
		t.Fatal("IPv6 dial to a closed port succeeded")
	}
}

// TestBlockingConnCloseUnblocksRead: Close from another goroutine ends a
// blocked read at once, and the descriptor is closed only after it.
func TestBlockingConnCloseUnblocksRead(t *testing.T) {
	addr := serveTCP(t, func(c net.Conn) { time.Sleep(2 * time.Second); c.Close() })
	c, err := dialBlocking(t, addr)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		_, err := c.Read(make([]byte, 10))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	c.Close()
	select {
	case err := <-done:
		if err == nil || time.Since(start) > 2*time.Second {
			t.Fatalf("read after close: %v in %v", err, time.Since(start))
		}
	case <-time.After(time.Second):
		t.Fatal("Close did not end the blocked read")
	}
	bc := c.(*blockingConn)
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if bc.fd != -1 || bc.inCalls != 0 {
		t.Fatalf("fd %d, calls in progress %d after close", bc.fd, bc.inCalls)
	}
}

// refusingAddr is a loopback port bound but not listening, held for the
// test: connections to it are refused, and no other socket can take it.
func refusingAddr(t *testing.T) string {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
}

// dialBlocking connects to addr ("ip:port") through the pool's direct dialer.
func dialBlocking(t *testing.T, addr string) (net.Conn, error) {
	return New(Options{}).dialTCP(context.Background(), addr, time.Now().Add(time.Second))
}
