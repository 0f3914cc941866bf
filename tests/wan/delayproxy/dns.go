package main

import (
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// DNS answers A queries for its names (IPv4 addresses) over UDP, each
// answer RTT/2 after the query, as a resolver one half round trip away
// (make bench-wan's host-name rows). AAAA queries get no address, other
// names NXDOMAIN, after the same delay. Test tooling only.
type DNS struct {
	Delay   time.Duration
	Names   map[string]net.IP // "ogn.wan.test." -> 127.0.0.2
	Queries atomic.Int64
}

// parseNames reads "name=ip,name=ip".
func parseNames(s string) (map[string]net.IP, error) {
	out := map[string]net.IP{}
	for _, kv := range strings.Split(s, ",") {
		name, ip, ok := strings.Cut(kv, "=")
		addr := net.ParseIP(ip).To4()
		if !ok || addr == nil {
			return nil, fmt.Errorf("want name=IPv4, got %q", kv)
		}
		out[strings.TrimSuffix(strings.ToLower(name), ".")+"."] = addr
	}
	return out, nil
}

// Serve answers on pc until it is closed.
func (d *DNS) Serve(pc net.PacketConn) {
	buf := make([]byte, 1500)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		answer, ok := d.answer(buf[:n])
		if !ok {
			continue
		}
		d.Queries.Add(1)
		time.AfterFunc(d.Delay, func() { pc.WriteTo(answer, from) })
	}
}

func (d *DNS) answer(query []byte) ([]byte, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, false
	}
	q, err := p.Question()
	if err != nil {
		return nil, false
	}
	ip, known := d.Names[strings.ToLower(q.Name.String())]
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired,
		RecursionAvailable: true}
	if !known {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	if b.StartQuestions() != nil || b.Question(q) != nil || b.StartAnswers() != nil {
		return nil, false
	}
	if known && q.Type == dnsmessage.TypeA && q.Class == dnsmessage.ClassINET {
		var a dnsmessage.AResource
		copy(a.A[:], ip)
		if b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 300}, a) != nil {
			return nil, false
		}
	}
	msg, err := b.Finish()
	return msg, err == nil
}
