package core

import (
	"strings"
	"time"

	"github.com/teleradyoloji/teleradyoloji/core/internal/logx"
)

// The client's log events (see include/teleradyoloji.h, LOGGING). None
// carries a password, token or OTAC; identity numbers are masked by logx.

// kindOf names a token key in events: "service" or "viewer".
func kindOf(k tokenKey) string {
	if k.viewer {
		return "viewer"
	}
	return "service"
}

// tokenEvent starts an event about k's token.
func tokenEvent(level logx.Level, name, msg string, k tokenKey) *logx.Event {
	return logx.New(level, name, msg).Str("kind", kindOf(k)).Str("doctor", k.doctor).Str("patient", k.patient)
}

// hostOf is the host[:port] of an absolute URL.
func hostOf(u string) string {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		u = rest
	}
	if i := strings.IndexAny(u, "/?#"); i >= 0 {
		u = u[:i]
	}
	return u
}

// logErr adds an error's code and message (secrets masked) to e.
func (c *Client) logErr(e *logx.Event, err error, secrets ...string) *logx.Event {
	if e == nil || err == nil {
		return e
	}
	e.Str("code", StatusOf(err).Name())
	if x, ok := err.(*Error); ok {
		e.Int("http_status", int64(x.HTTPStatus)).Str("server_error", maskSecrets(x.ServerError, append(secrets, c.secrets...)...))
	}
	if scrubbed, ok := c.scrub(err, secrets...).(*Error); ok {
		e.Str("error", scrubbed.Error())
	}
	return e
}

func (c *Client) logCreated() {
	proxy := "none"
	if c.cfg.Proxy != "" {
		proxy = proxyDisplay(c.cfg.Proxy)
	}
	logx.New(logx.Info, "client.created", "client created").
		Str("ogn", hostOf(c.cfg.OGNURL)).Str("api", hostOf(c.cfg.APIURL)).Str("viewer", hostOf(c.cfg.ViewerURL)).
		Str("proxy", proxy).Ms("timeout_ms", c.cfg.Timeout).Bool("prewarm", c.cfg.Prewarm).
		Str("version", Version).Send()
}

// logFetched: ahead is "prefetch" or "refresh" for a background fetch.
func (c *Client) logFetched(k tokenKey, tok Token, lifetime, took time.Duration, ahead string) {
	tokenEvent(logx.Info, "token.fetched", "token fetched from OGN", k).
		Str("host", hostOf(c.tokenURL)).Ms("ms", took).Int("expires_in_s", int64(lifetime/time.Second)).
		Bool("cached", lifetime > 0).Str("ahead", ahead).Send()
}

func (c *Client) logFetchFailed(k tokenKey, err error, took time.Duration, ahead string) {
	if StatusOf(err) == AuthError {
		e := tokenEvent(logx.Error, "token.refused", "OGN refused the credentials (institution code, e-Nabız password or application code)", k).
			Str("host", hostOf(c.tokenURL)).Ms("ms", took).Str("ahead", ahead)
		c.logErr(e, err).Send()
		return
	}
	e := tokenEvent(logx.Error, "token.failed", "token request failed", k).Str("host", hostOf(c.tokenURL)).Ms("ms", took).Str("ahead", ahead)
	c.logErr(e, err).Send()
}

func logCacheHit(k tokenKey, tok Token, now time.Time) {
	tokenEvent(logx.Debug, "token.cache_hit", "token taken from the cache", k).
		Int("expires_in_s", int64(tok.ExpiresAt.Sub(now)/time.Second)).Send()
}

func logJoined(k tokenKey) {
	tokenEvent(logx.Debug, "token.wait", "waiting for the token another call is fetching", k).Send()
}

func (c *Client) logRejected(k tokenKey, retry bool) {
	tokenEvent(logx.Warn, "token.rejected", "the API answered 401: token dropped from the cache", k).
		Str("host", hostOf(c.apiBase)).Bool("retry", retry).Send()
}

// logRetry: attempt (1-based) failed with resp or err and is tried again after wait.
func (c *Client) logRetry(r *request, attempt int, resp *response, err *Error, wait time.Duration) {
	e := logx.New(logx.Warn, "http.retry", "request failed; trying again").
		Str("what", r.what).Str("host", hostOf(r.url)).Int("attempt", int64(attempt)).Ms("wait_ms", wait)
	if resp != nil {
		e.Int("status", int64(resp.status))
	}
	if err != nil {
		c.logErr(e, err, r.bearer)
	}
	e.Send()
}

// logResend: a request went again at once because its connection was found
// closed before anything was sent (or closed by the server while idle).
func logResend(r *request, reason string) {
	logx.New(logx.Debug, "http.resend", "connection closed by the server before the request; sent again on another").
		Str("what", r.what).Str("host", hostOf(r.url)).Str("reason", reason).Send()
}

func logExchange(r *request, status int, took time.Duration, attempts int) {
	logx.New(logx.Debug, "http.exchange", "HTTP exchange").
		Str("what", r.what).Str("method", r.method).Str("host", hostOf(r.url)).
		Int("status", int64(status)).Ms("ms", took).Int("attempts", int64(attempts)).Send()
}

func (c *Client) logSendFailed(r *request, err *Error, took time.Duration, attempts int) {
	e := logx.New(logx.Warn, "http.failed", "request failed").
		Str("what", r.what).Str("host", hostOf(r.url)).Ms("ms", took).Int("attempts", int64(attempts))
	if err != nil {
		c.logErr(e, err, r.bearer)
	}
	e.Send()
}

func logOTAC(took time.Duration) {
	logx.New(logx.Info, "otac.issued", "one-time code (OTAC) received").Ms("ms", took).Send()
}

func (c *Client) logCall(method, path string, status int, took time.Duration, err error) {
	level := logx.Info
	if err != nil {
		level = logx.Warn
	}
	e := logx.New(level, "call.done", "helper-service call done").
		Str("method", method).Str("path", maskSecrets(pathOnly(path), c.secrets...)).Int("status", int64(status)).Ms("ms", took)
	c.logErr(e, err).Send()
}

// proxyDisplay is the "proxy" setting without credentials: "system",
// "env", or the proxy URL.
func proxyDisplay(proxy string) string {
	if proxy == "system" || proxy == "env" {
		return proxy
	}
	scheme, rest, ok := strings.Cut(proxy, "://")
	if !ok {
		return "(unreadable)"
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		rest = rest[at+1:]
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return scheme + "://" + rest
}
