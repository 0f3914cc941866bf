package conn

import (
	"context"
	"net"
	"sync"
	"time"
)

// dnsTTL is how long resolved addresses are reused: a click must not wait
// for a lookup, and a moved host is followed within a minute.
const dnsTTL = time.Minute

type dnsEntry struct {
	ips     []net.IP
	expires time.Time
}

// resolver caches host lookups for dnsTTL. Failures are not cached.
type resolver struct {
	lookup func(ctx context.Context, host string) ([]net.IPAddr, error)
	mu     sync.Mutex
	cache  map[string]dnsEntry
}

func newResolver() *resolver {
	return &resolver{lookup: net.DefaultResolver.LookupIPAddr, cache: map[string]dnsEntry{}}
}

// resolve returns host's addresses, IPv4 and IPv6 interleaved (the first
// family first), looking them up by the deadline, or until ctx ends, when
// not cached.
func (r *resolver) resolve(ctx context.Context, host string, deadline time.Time) ([]net.IP, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []net.IP{ip}, nil
	}
	now := time.Now()
	r.mu.Lock()
	e, ok := r.cache[host]
	r.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.ips, nil
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	addrs, err := r.lookup(ctx, host)
	logResolved(host, len(addrs), time.Since(now), err)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no address", Name: host}
	}
	ips := interleave(addrs)
	r.mu.Lock()
	r.cache[host] = dnsEntry{ips: ips, expires: now.Add(dnsTTL)}
	r.mu.Unlock()
	return ips, nil
}

// interleave alternates the two address families, starting with the first
// one's, so that a dead IPv6 route does not hide every IPv4 address.
func interleave(addrs []net.IPAddr) []net.IP {
	var first, other []net.IP
	firstIs4 := addrs[0].IP.To4() != nil
	for _, a := range addrs {
		if (a.IP.To4() != nil) == firstIs4 {
			first = append(first, a.IP)
		} else {
			other = append(other, a.IP)
		}
	}
	out := make([]net.IP, 0, len(addrs))
	for i := 0; i < len(first) || i < len(other); i++ {
		if i < len(first) {
			out = append(out, first[i])
		}
		if i < len(other) {
			out = append(out, other[i])
		}
	}
	return out
}
