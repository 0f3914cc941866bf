package conn

import (
	"net"
	"testing"
	"time"
)

// TestClosedByServerSeesFINBehindUnreadBytes: the kernel's TCP state tells a
// connection the server closed after sending bytes nobody read (a TLS
// close_notify) from one still open; on 32-bit x86 through socketcall.
func TestClosedByServerSeesFINBehindUnreadBytes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srv := <-accepted
	if _, errno := tcpInfo(fdOf(t, c)); errno != 0 {
		t.Fatalf("getsockopt(TCP_INFO): %v", errno)
	}
	if closedByServer(c) {
		t.Fatal("an open connection is reported closed")
	}
	if _, err := srv.Write([]byte{0x15, 0x03, 0x03}); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	for end := time.Now().Add(10 * time.Second); !closedByServer(c); time.Sleep(time.Millisecond) {
		if time.Now().After(end) { // a bound, not a timing
			t.Fatal("the server's FIN behind unread bytes is never seen")
		}
	}
	if peek(c) != peekData {
		t.Fatal("the unread bytes were consumed")
	}
}

func fdOf(t *testing.T, c net.Conn) (fd int) {
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	rc.Control(func(u uintptr) { fd = int(u) })
	return fd
}
