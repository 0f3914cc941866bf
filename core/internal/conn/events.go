package conn

import (
	"crypto/tls"
	"net"
	"time"

	"github.com/teleradyoloji/teleradyoloji/core/internal/logx"
)

// The connection events of the log (see include/teleradyoloji.h, LOGGING).

func logResolved(host string, n int, took time.Duration, err error) {
	if err != nil {
		logx.New(logx.Warn, "dns.failed", "host name lookup failed").
			Str("host", host).Ms("ms", took).Str("error", err.Error()).Send()
		return
	}
	logx.New(logx.Debug, "dns.resolved", "host name looked up").
		Str("host", host).Int("addresses", int64(n)).Ms("ms", took).Send()
}

func logConnOpened(t Target, raw net.Conn, took time.Duration, proxied, ahead bool) {
	e := logx.New(logx.Info, "conn.opened", "connection opened").
		Str("host", t.Addr).Ms("ms", took).Bool("tls", t.TLS).Bool("proxy", proxied).Bool("ahead", ahead)
	if e != nil && raw.RemoteAddr() != nil && !proxied {
		e.Str("addr", raw.RemoteAddr().String())
	}
	e.Send()
}

func logTLS(t Target, cs tls.ConnectionState, took time.Duration) {
	name, msg := "tls.handshake", "TLS handshake done"
	if cs.DidResume {
		name, msg = "tls.resumed", "TLS session resumed"
	}
	e := logx.New(logx.Info, name, msg).Str("host", t.Addr).Ms("ms", took).
		Str("version", tls.VersionName(cs.Version))
	if e != nil && len(cs.PeerCertificates) > 0 {
		e.Str("issuer", IssuerName(cs.PeerCertificates[0].Issuer.CommonName, cs.PeerCertificates[0].Issuer.Organization))
	}
	e.Send()
}

// IssuerName is a certificate issuer as a person reads it: "CN (O)".
func IssuerName(cn string, org []string) string {
	switch {
	case len(org) == 0:
		return cn
	case cn == "":
		return org[0]
	}
	return cn + " (" + org[0] + ")"
}

func logReused(t Target, idle time.Duration, firstUseOfSpare bool) {
	logx.New(logx.Debug, "conn.reused", "kept connection reused").
		Str("host", t.Addr).Ms("idle_ms", idle).Bool("spare", firstUseOfSpare).Send()
}

func logStale(t Target, idle time.Duration) {
	logx.New(logx.Debug, "conn.closed_by_server", "kept connection found closed by the server before reuse; nothing was sent").
		Str("host", t.Addr).Ms("idle_ms", idle).Send()
}

func logConnFailed(t Target, stage string, err error, took time.Duration, ahead bool, redact func(string) string) {
	if !logx.On(logx.Warn) {
		return
	}
	text := err.Error()
	if redact != nil {
		text = redact(text)
	}
	level := logx.Warn
	if ahead {
		level = logx.Debug // silent by design: the next request dials itself
	}
	logx.New(level, "conn.failed", "cannot connect").
		Str("host", t.Addr).Str("stage", stage).Ms("ms", took).Bool("ahead", ahead).Str("error", text).Send()
}

func logReconnectAhead(t Target, attempt int) {
	logx.New(logx.Debug, "conn.reconnect_ahead", "the server closed a kept connection; reconnecting in the background").
		Str("host", t.Addr).Int("attempt", int64(attempt)).Send()
}

func logAheadStopped(t Target, budget int, window time.Duration) {
	logx.New(logx.Info, "conn.reconnect_ahead_stopped", "the server keeps closing connections; no more reconnects ahead for a while").
		Str("host", t.Addr).Int("attempts", int64(budget)).Ms("window_ms", window).Send()
}
