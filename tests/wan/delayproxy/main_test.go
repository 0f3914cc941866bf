package main

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"
)

// echoServer answers each line with the same line and closes on EOF.
func echoServer(t *testing.T) string {
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
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// TestRoundTrips checks the modelled costs by wall-clock lower bounds only:
// the first exchange on a new connection takes a handshake RTT plus a round
// trip, later ones one round trip; a server's close arrives RTT/2 later; and
// connections are counted per listener.
func TestRoundTrips(t *testing.T) {
	const rtt = 60 * time.Millisecond
	p := NewProxy(rtt)
	defer p.Close()
	addr, err := p.Listen("echo", "127.0.0.1:0", echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	for conn := 1; conn <= 2; conn++ {
		start := time.Now()
		c, err := net.Dial("tcp", addr.String())
		if err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(c)
		for i := 0; i < 3; i++ {
			t0 := time.Now()
			if i == 0 {
				// The proxy's hold starts at accept, which may come before
				// Dial returns: the first exchange counts from the dial.
				t0 = start
			}
			if _, err := c.Write([]byte("ping\n")); err != nil {
				t.Fatal(err)
			}
			line, err := r.ReadString('\n')
			if err != nil || line != "ping\n" {
				t.Fatalf("echo: %q, %v", line, err)
			}
			want := rtt
			if i == 0 {
				want = 2 * rtt // the TCP handshake, then the round trip
			}
			if got := time.Since(t0); got < want {
				t.Errorf("connection %d exchange %d took %v, want >= %v", conn, i, got, want)
			}
		}
		// Our half-close reaches the server RTT/2 later, its close comes back
		// RTT/2 after that.
		t0 := time.Now()
		c.(*net.TCPConn).CloseWrite()
		if _, err := r.ReadByte(); err != io.EOF {
			t.Fatalf("after close: %v, want EOF", err)
		}
		if got := time.Since(t0); got < rtt {
			t.Errorf("close took %v, want >= %v", got, rtt)
		}
		c.Close()
		if got := time.Since(start); got < 5*rtt {
			t.Errorf("connection %d took %v, want >= %v", conn, got, 5*rtt)
		}
		if n := p.Counts()["echo"]; n != int64(conn) {
			t.Errorf("counted %d connections, want %d", n, conn)
		}
	}
	if got, want := p.CountsJSON(), `{"echo":2}`; got != want {
		t.Errorf("CountsJSON = %s, want %s", got, want)
	}
}

// TestThroughput checks that the delay does not serialise a stream: 2 MiB in
// many writes arrive in about one RTT plus the handshake, not one RTT each.
func TestThroughput(t *testing.T) {
	const rtt = 40 * time.Millisecond
	p := NewProxy(rtt)
	defer p.Close()
	addr, err := p.Listen("echo", "127.0.0.1:0", echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const total = 2 << 20
	t0 := time.Now()
	go func() {
		buf := make([]byte, 16<<10)
		for sent := 0; sent < total; sent += len(buf) {
			if _, err := c.Write(buf); err != nil {
				return
			}
		}
	}()
	if _, err := io.ReadFull(c, make([]byte, total)); err != nil {
		t.Fatal(err)
	}
	// Serialised, 128 writes would take 128 RTT; allow generous CPU slack.
	if got := time.Since(t0); got > 40*rtt {
		t.Errorf("2 MiB took %v, want well under %v", got, 40*rtt)
	}
}
