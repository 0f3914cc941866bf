package sandbox

import (
	"io"
	"net"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"
)

// Fault is an injected misbehaviour for the next Count requests to Target
// ("token", "otac", "api", "viewer" or "any"); Count 0 means until reset.
type Fault struct {
	Target      string `json:"target"`
	Kind        string `json:"kind"` // latency, hold, answer_close, status, unauthorized, malformed, html, huge, close, reset
	Status      int    `json:"status,omitempty"`
	DelayMS     int    `json:"delay_ms,omitempty"`
	RetryAfterS int    `json:"retry_after_s,omitempty"`
	Count       int    `json:"count"`
	used        int
}

var faultKinds = map[string]bool{"latency": true, "status": true, "unauthorized": true,
	"malformed": true, "html": true, "huge": true, "close": true, "answer_close": true, "hold": true, "reset": true}

var faultTargets = map[string]bool{"token": true, "otac": true, "api": true, "viewer": true, "any": true}

// hugeBodySize is the size of the "huge" fault's body.
const hugeBodySize = 64 << 20

// AddFault queues f.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ff := f
	s.faults = append(s.faults, &ff)
}

// nextFault takes the first queued fault for target.
func (s *Server) nextFault(target string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Target != target && f.Target != "any" {
			continue
		}
		f.used++
		if f.Count > 0 && f.used >= f.Count {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return f
	}
	return nil
}

// faulted counts the request, then applies a queued fault or calls next.
func (s *Server) faulted(ctx *fasthttp.RequestCtx, target string, next fasthttp.RequestHandler) {
	s.record(target, ctx)
	f := s.nextFault(target)
	if f == nil {
		next(ctx)
		return
	}
	switch f.Kind {
	case "latency":
		time.Sleep(time.Duration(f.DelayMS) * time.Millisecond)
		next(ctx)
	case "hold":
		// Held until Release (or a reset), then answered normally: a test
		// sees what a client does while it waits, without timing.
		s.mu.Lock()
		held := s.held
		s.mu.Unlock()
		<-held
		next(ctx)
	case "answer_close":
		// As latency, then the server closes the connection after answering.
		time.Sleep(time.Duration(f.DelayMS) * time.Millisecond)
		next(ctx)
		ctx.SetConnectionClose()
	case "status":
		if f.RetryAfterS > 0 {
			ctx.Response.Header.Set("Retry-After", strconv.Itoa(f.RetryAfterS))
		}
		status := f.Status
		if status == 0 {
			status = fasthttp.StatusServiceUnavailable
		}
		writeJSON(ctx, status, map[string]any{"IsSuccess": false, "Message": "sandbox fault " + strconv.Itoa(status)})
	case "unauthorized":
		unauthorized(ctx)
	case "malformed":
		ctx.SetContentType("application/json; charset=utf-8")
		ctx.SetBodyString(`{"access_token": "abc", "Data": ` + "\x00\x01" + `[`)
	case "html":
		ctx.SetStatusCode(fasthttp.StatusBadGateway)
		ctx.SetContentType("text/html; charset=utf-8")
		ctx.SetBodyString("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>" +
			"<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p></body></html>")
	case "huge":
		ctx.SetContentType("application/json")
		ctx.SetBodyStream(io.LimitReader(repeatReader('a'), hugeBodySize), hugeBodySize)
	case "close":
		ctx.HijackSetNoResponse(true)
		ctx.Hijack(func(c net.Conn) {})
	case "reset":
		ctx.HijackSetNoResponse(true)
		raw := ctx.Conn() // fasthttp hands the hijacker a wrapper
		ctx.Hijack(func(net.Conn) { resetConn(raw) })
	}
}

// resetConn ends c with a TCP reset (RST), as a firewall or a crashed
// server does; a TLS connection is reset under its TLS layer.
func resetConn(c net.Conn) {
	if nc, ok := c.(interface{ NetConn() net.Conn }); ok {
		c = nc.NetConn()
	}
	for inner := c; inner != nil; {
		if tc, ok := inner.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
			break
		}
		u, ok := inner.(interface{ Unwrap() net.Conn })
		if !ok {
			break
		}
		inner = u.Unwrap()
	}
	c.Close()
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// Release answers every request held by a "hold" fault.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releaseLocked()
}

func (s *Server) releaseLocked() {
	if s.held != nil {
		close(s.held)
	}
	s.held = make(chan struct{})
}
