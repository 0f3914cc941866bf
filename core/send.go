package core

import (
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"time"

	"github.com/teleradyoloji/teleradyoloji/core/internal/conn"
	"github.com/valyala/fasthttp"
)

// request is one HTTP exchange with a Ministry service.
type request struct {
	what        string // names the exchange in errors: "OGN token request", …
	method      string
	url         string
	contentType string
	body        []byte
	bearer      string
	repeatable  bool // safe to resend after 5xx, 429 or a lost connection
}

// response is a copied HTTP answer, with the secrets of its exchange (the
// password, the token sent) that no error built from it may show.
type response struct {
	status      int
	body        []byte
	contentType string
	retryAfter  string
	secrets     []string
}

// sendOnce performs one attempt; the body is copied before fasthttp reuses it.
func (c *Client) sendOnce(r *request, deadline time.Time, secrets []string) (*response, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(r.url)
	req.Header.SetMethod(r.method)
	req.Header.Set("Accept", "application/json, text/plain, */*")
	if r.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	if r.body != nil {
		req.Header.SetContentType(r.contentType)
		req.SetBodyRaw(r.body)
	}
	if err := c.http.DoDeadline(req, resp, deadline); err != nil {
		return nil, err
	}
	return &response{
		status:      resp.StatusCode(),
		body:        append([]byte(nil), resp.Body()...),
		contentType: string(resp.Header.ContentType()),
		retryAfter:  string(resp.Header.Peek("Retry-After")),
		secrets:     secrets,
	}, nil
}

// send performs r with bounded retries inside the caller's deadline:
// network errors, 5xx and 429 are retried when r is repeatable; a request
// that never reached the server (a failed dial) is retried in any case.
func (c *Client) send(r *request, deadline time.Time) (*response, error) {
	secrets := c.secretsOf(r)
	staleRetried, notSent := false, 0
	start := time.Now()
	for attempt := 0; ; attempt++ {
		resp, err := c.sendOnce(r, deadline, secrets)
		last := attempt >= c.cfg.Retries
		var wait time.Duration
		var failure *Error
		switch {
		case errors.Is(err, conn.ErrIdleClosed) && notSent < maxNotSent:
			// A kept connection the server had closed: nothing was sent, so
			// any method goes again at once, on another connection.
			notSent++
			attempt--
			logResend(r, "closed before reuse")
			continue
		case err != nil && r.repeatable && !staleRetried && isStaleConnection(err):
			// A keep-alive connection the server closed while idle: once,
			// at once, and not counted against retries.
			staleRetried = true
			attempt--
			logResend(r, "closed while idle")
			continue
		case err != nil:
			failure = transportError(r.what, err, deadline, secrets)
			if !r.repeatable && !neverSent(err) {
				failure.Retryable = false // the server may have acted on it
			}
			if last || failure.Status != NetworkError || !failure.Retryable || !(r.repeatable || neverSent(err)) {
				c.logSendFailed(r, failure, time.Since(start), attempt+1)
				return nil, failure
			}
			wait = backoff(attempt)
		case r.repeatable && (resp.status >= 500 || resp.status == fasthttp.StatusTooManyRequests):
			if last {
				logExchange(r, resp.status, time.Since(start), attempt+1)
				return resp, nil
			}
			wait = backoff(attempt)
			if ra, ok := parseRetryAfter(resp.retryAfter); ok {
				wait = ra
			}
		default:
			logExchange(r, resp.status, time.Since(start), attempt+1)
			return resp, nil
		}
		if time.Until(deadline) <= wait {
			// No time left to wait: answer with what we have.
			if failure != nil {
				c.logSendFailed(r, failure, time.Since(start), attempt+1)
				return nil, failure
			}
			logExchange(r, resp.status, time.Since(start), attempt+1)
			return resp, nil
		}
		c.logRetry(r, attempt+1, resp, failure, wait)
		time.Sleep(wait)
	}
}

// secretsOf lists what must never appear in an error about r.
func (c *Client) secretsOf(r *request) []string {
	return append(c.secrets[:len(c.secrets):len(c.secrets)], r.bearer)
}

// backoff is 50 ms doubled per attempt, capped at 1 s, with jitter.
func backoff(attempt int) time.Duration {
	d := 50 * time.Millisecond << min(attempt, 5)
	d = min(d, time.Second)
	return d/2 + rand.N(d/2+1)
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(min(n, 86400)) * time.Second, true // a day is past any deadline
	}
	if t, err := time.Parse(time.RFC1123, v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// isStaleConnection: the server closed the connection before answering.
func isStaleConnection(err error) bool {
	return errors.Is(err, fasthttp.ErrConnectionClosed) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF)
}

// maxNotSent bounds the resends of a request that found kept connections
// closed (each costs no round trip; the pool holds few connections).
const maxNotSent = 4

// neverSent: the request provably did not reach the server.
func neverSent(err error) bool {
	return isDialError(err) || errors.Is(err, conn.ErrIdleClosed)
}

func isDialError(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}
