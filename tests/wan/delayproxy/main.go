// Command delayproxy adds a wide-area round-trip time to loopback TCP: the
// kernel here has no netem qdisc, so `make bench-wan` puts this in front of
// its TLS servers. Each listener forwards to one upstream (host:port or
// unix:/path) and
//
//   - delays every byte by RTT/2 in each direction: chunks are timestamped
//     when read and written out when due, through a queue, so throughput is
//     not serialised by the delay;
//   - holds a new connection's first client bytes until one RTT after the
//     accept, which is what the TCP handshake (SYN, SYN-ACK) costs before a
//     client may send: bytes sent at t arrive at max(t, accept+RTT) + RTT/2;
//   - forwards a half-close (FIN) with the same delay, so a server closing an
//     idle keep-alive connection is seen by the client RTT/2 later;
//   - counts accepted connections per listener.
//
// Usage:
//
//	delayproxy -rtt 100ms -ctl 127.0.0.1:0 NAME=LISTEN=UPSTREAM ...
//
// e.g. ogn12=127.0.0.2:0=unix:/tmp/tls12.sock. It prints "NAME ADDR" for each
// listener (the port chosen), "ctl ADDR", then "ready", and serves until
// SIGINT/SIGTERM. GET http://ctl/counts answers {"NAME":accepted,...}.
// With -dns ADDR -dnsnames name=IP,..., it also answers DNS queries for
// those names, RTT/2 late (see dns.go).
// Test tooling only: it is not part of the library.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Proxy forwards listeners to upstreams with an added round-trip time.
type Proxy struct {
	RTT    time.Duration
	mu     sync.Mutex
	counts map[string]*atomic.Int64
	lns    []net.Listener
}

// NewProxy returns a proxy adding rtt to every connection.
func NewProxy(rtt time.Duration) *Proxy {
	return &Proxy{RTT: rtt, counts: map[string]*atomic.Int64{}}
}

// Listen starts forwarding listen (host:port) to upstream under name and
// returns the listener's address.
func (p *Proxy) Listen(name, listen, upstream string) (net.Addr, error) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, err
	}
	n := new(atomic.Int64)
	p.mu.Lock()
	p.counts[name] = n
	p.lns = append(p.lns, ln)
	p.mu.Unlock()
	network, address := "tcp", upstream
	if strings.HasPrefix(upstream, "unix:") {
		network, address = "unix", strings.TrimPrefix(upstream, "unix:")
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			go p.serve(c, network, address)
		}
	}()
	return ln.Addr(), nil
}

// Counts returns how many connections each listener accepted.
func (p *Proxy) Counts() map[string]int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int64, len(p.counts))
	for k, v := range p.counts {
		out[k] = v.Load()
	}
	return out
}

// Close stops every listener (connections in progress are left to end).
func (p *Proxy) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ln := range p.lns {
		ln.Close()
	}
}

// CountsJSON writes the counts as one flat JSON object, keys sorted.
func (p *Proxy) CountsJSON() string {
	c := p.Counts()
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%d", k, c[k])
	}
	b.WriteByte('}')
	return b.String()
}

func (p *Proxy) serve(client net.Conn, network, address string) {
	accepted := time.Now()
	server, err := net.Dial(network, address) // local: costs no modelled time
	if err != nil {
		client.Close()
		return
	}
	var once sync.Once
	abort := func() { // a write failed: end both sides, as a reset would
		once.Do(func() { client.Close(); server.Close() })
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.pipe(server, client, accepted.Add(p.RTT), abort) }()
	go func() { defer wg.Done(); p.pipe(client, server, time.Time{}, abort) }()
	wg.Wait()
	client.Close()
	server.Close()
}

// chunk is data read at one moment, due at another; nil data is end of stream.
type chunk struct {
	data []byte
	due  time.Time
	eof  bool
}

// pipe copies src to dst, each chunk written RTT/2 after it was read (and
// not before hold + RTT/2: the handshake of a new connection).
func (p *Proxy) pipe(dst, src net.Conn, hold time.Time, abort func()) {
	q := make(chan chunk, 4096)
	go func() {
		defer close(q)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			now := time.Now()
			if now.Before(hold) {
				now = hold
			}
			if n > 0 {
				q <- chunk{data: buf[:n], due: now.Add(p.RTT / 2)}
			}
			if err != nil {
				q <- chunk{eof: errors.Is(err, io.EOF), due: now.Add(p.RTT / 2)}
				return
			}
		}
	}()
	for c := range q {
		if d := time.Until(c.due); d > 0 {
			time.Sleep(d)
		}
		switch {
		case c.data != nil:
			if _, err := dst.Write(c.data); err != nil {
				abort()
				drain(q)
				return
			}
		case c.eof: // a FIN: pass the half-close on
			if cw, ok := dst.(interface{ CloseWrite() error }); ok {
				cw.CloseWrite()
			} else {
				dst.Close()
			}
		default: // a reset or a local close
			abort()
		}
	}
}

func drain(q chan chunk) {
	for range q {
	}
}

type mapping struct{ name, listen, upstream string }

func parseMapping(s string) (mapping, error) {
	parts := strings.SplitN(s, "=", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return mapping{}, fmt.Errorf("want NAME=LISTEN=UPSTREAM, got %q", s)
	}
	return mapping{parts[0], parts[1], parts[2]}, nil
}

func main() {
	rtt := flag.Duration("rtt", 100*time.Millisecond, "round-trip time to add")
	ctl := flag.String("ctl", "127.0.0.1:0", "address of the control endpoint (GET /counts)")
	dnsAddr := flag.String("dns", "", "also answer DNS (UDP) there, RTT/2 late, for -dnsnames")
	dnsNames := flag.String("dnsnames", "", "name=IPv4,... that -dns answers")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: delayproxy [-rtt 100ms] [-ctl 127.0.0.1:0] NAME=LISTEN=UPSTREAM ...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	p := NewProxy(*rtt)
	for _, arg := range flag.Args() {
		m, err := parseMapping(arg)
		if err != nil {
			fmt.Fprintln(os.Stderr, "delayproxy:", err)
			os.Exit(2)
		}
		addr, err := p.Listen(m.name, m.listen, m.upstream)
		if err != nil {
			fmt.Fprintln(os.Stderr, "delayproxy:", err)
			os.Exit(1)
		}
		fmt.Printf("%s %s\n", m.name, addr)
	}
	if *dnsAddr != "" {
		names, err := parseNames(*dnsNames)
		if err != nil {
			fmt.Fprintln(os.Stderr, "delayproxy: -dnsnames:", err)
			os.Exit(2)
		}
		pc, err := net.ListenPacket("udp", *dnsAddr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "delayproxy:", err)
			os.Exit(1)
		}
		go (&DNS{Delay: *rtt / 2, Names: names}).Serve(pc)
		fmt.Printf("dns %s\n", pc.LocalAddr())
	}
	ln, err := net.Listen("tcp", *ctl)
	if err != nil {
		fmt.Fprintln(os.Stderr, "delayproxy:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/counts", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, p.CountsJSON()+"\n")
	})
	go http.Serve(ln, mux)
	fmt.Printf("ctl %s\nready\n", ln.Addr())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	fmt.Fprintf(os.Stderr, "delayproxy: connections accepted %s\n", p.CountsJSON())
}
