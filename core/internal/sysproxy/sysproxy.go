// Package sysproxy finds the proxy that the user's system settings choose
// for an HTTPS connection: on Windows the current user's WinHTTP / Internet
// Options settings (a static proxy with its bypass list, a PAC script,
// WPAD), elsewhere the environment (HTTPS_PROXY, NO_PROXY).
package sysproxy

import (
	"net"
	"strings"
)

// For returns the proxy for an HTTPS connection to hostport as
// "host:port" (an HTTP CONNECT proxy), or "" to connect directly. Loopback
// hosts are always direct. It never blocks longer than a lookup's time limit
// (see lookupLimit on Windows).
func For(hostport string) (string, error) {
	c, err := Explain(hostport)
	return c.Proxy, err
}

// Source says which of the settings made a Choice.
type Source int

const (
	NotSet     Source = iota // the settings name no proxy: direct
	Loopback                 // this computer's own address: always direct
	Static                   // the settings' proxy server
	Bypassed                 // the settings' bypass list names the host: direct
	Script                   // a PAC script chose (Choice.PAC; found by WPAD when "")
	Unreadable               // the settings cannot be read: direct, as WinHTTP does
)

// Choice is the proxy chosen for a connection ("" direct) and why.
type Choice struct {
	Proxy  string
	Source Source
	PAC    string // the PAC script's address, for Script
}

// Explain is For with the reason of its answer (the connection doctor
// reports it).
func Explain(hostport string) (Choice, error) {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if isLoopback(host) {
		return Choice{Source: Loopback}, nil
	}
	return lookup(hostport, host)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// pickProxy chooses from a WinHTTP proxy list ("host:port",
// "https=host:port;http=other:port", several separated by ';' or spaces)
// the entry for HTTPS: "https=" first, else one without a scheme.
func pickProxy(list string) string {
	plain := ""
	for _, e := range splitList(list) {
		if scheme, rest, ok := strings.Cut(e, "="); ok {
			if strings.EqualFold(scheme, "https") && rest != "" {
				return stripScheme(rest)
			}
			continue
		}
		if plain == "" {
			plain = stripScheme(e)
		}
	}
	return plain
}

func stripScheme(p string) string {
	if i := strings.Index(p, "://"); i >= 0 {
		p = p[i+3:]
	}
	return strings.TrimSuffix(p, "/")
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ' ' || r == '\t' || r == ',' })
}

// bypassed reports whether a bypass list (Internet Options' "do not use the
// proxy for": "<local>", "*.example.com", "10.*", "host:port") names host.
func bypassed(list, host, hostport string) bool {
	for _, e := range splitList(list) {
		e = strings.ToLower(stripScheme(e))
		switch {
		case e == "<local>":
			if !strings.Contains(host, ".") && !strings.Contains(host, ":") {
				return true
			}
		case glob(e, strings.ToLower(host)), glob(e, strings.ToLower(hostport)):
			return true
		}
	}
	return false
}

// glob matches s against a pattern where '*' stands for any run of
// characters (dots included, as WinHTTP does).
func glob(pattern, s string) bool {
	for {
		star := strings.IndexByte(pattern, '*')
		if star < 0 {
			return pattern == s
		}
		if !strings.HasPrefix(s, pattern[:star]) {
			return false
		}
		s, pattern = s[star:], pattern[star+1:]
		if pattern == "" {
			return true
		}
		for i := 0; i <= len(s); i++ {
			if glob(pattern, s[i:]) {
				return true
			}
		}
		return false
	}
}
