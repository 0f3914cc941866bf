package sandbox

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"
)

var otacShapes = map[string]bool{"text": true, "json_string": true, "otac": true, "Otac": true,
	"OTAC": true, "url": true, "data": true, "Data": true, "value": true, "result": true,
	"envelope": true, "url_text": true, "url_json": true, "envelope_url": true}

// postOTAC is the integration API's POST /postOTAC.
func (s *Server) postOTAC(ctx *fasthttp.RequestCtx) {
	if _, ok := s.bearer(ctx); !ok {
		unauthorized(ctx)
		return
	}
	if !ctx.IsPost() {
		writeJSON(ctx, fasthttp.StatusMethodNotAllowed, envelopeError("POST required"))
		return
	}
	if !bytes.HasPrefix(ctx.Request.Header.ContentType(), []byte("application/json")) {
		writeJSON(ctx, fasthttp.StatusUnsupportedMediaType, envelopeError("Content-Type must be application/json"))
		return
	}
	var req struct{ AccessionNumber *string }
	if err := json.Unmarshal(ctx.PostBody(), &req); err != nil || req.AccessionNumber == nil || *req.AccessionNumber == "" {
		writeJSON(ctx, fasthttp.StatusBadRequest, envelopeError("AccessionNumber zorunludur"))
		return
	}
	if *req.AccessionNumber == "NOT-FOUND" {
		writeJSON(ctx, fasthttp.StatusOK, map[string]any{"Data": nil, "IsSuccess": false, "Message": "Tetkik bulunamadı"})
		return
	}
	s.mu.Lock()
	conf := s.conf
	otac := newOTAC(conf.OTACStyle)
	s.otacs.add(otac, *req.AccessionNumber, time.Now())
	s.mu.Unlock()
	s.writeOTAC(ctx, conf.OTACShape, otac)
}

// newOTAC makes a one-time code; style "base64" includes + / = to exercise
// escaping.
func newOTAC(style string) string {
	if style == "base64" {
		var b [31]byte
		_, _ = rand.Read(b[:])
		b[0], b[1] = 0xfb, 0xff // guarantees '+' and '/' early on
		return base64.StdEncoding.EncodeToString(b[:])
	}
	return randomCode()
}

// writeOTAC answers in one of the plausible shapes of SPEC decision 2.
func (s *Server) writeOTAC(ctx *fasthttp.RequestCtx, shape, otac string) {
	url := s.ViewerURL() + "#/viewpatient?otac=" + escapeOTAC(otac)
	switch shape {
	case "text":
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.SetBodyString(otac)
	case "url_text":
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.SetBodyString(url)
	case "json_string":
		writeJSON(ctx, 200, otac)
	case "url_json":
		writeJSON(ctx, 200, map[string]string{"url": url})
	case "envelope":
		writeJSON(ctx, 200, map[string]any{"Data": otac, "IsSuccess": true, "Message": nil})
	case "envelope_url":
		writeJSON(ctx, 200, map[string]any{"Data": url, "IsSuccess": true})
	default:
		writeJSON(ctx, 200, map[string]string{shape: otac})
	}
}

func escapeOTAC(otac string) string {
	r := strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D")
	return r.Replace(otac)
}

func envelopeError(msg string) map[string]any {
	return map[string]any{"Data": nil, "IsSuccess": false, "Message": msg}
}

// helper serves the fake helper services: /echo[/...] and /status/{code}.
// BinaryBody is what GET /integrationapi/binary answers.
var BinaryBody = []byte("AB\x00CD\xff\xfeEF")

func (s *Server) helper(ctx *fasthttp.RequestCtx) {
	info, ok := s.bearer(ctx)
	if !ok {
		unauthorized(ctx)
		return
	}
	path := strings.TrimPrefix(string(ctx.Path()), "/integrationapi")
	switch {
	case path == "/echo" || strings.HasPrefix(path, "/echo/"):
		var body any
		if len(ctx.PostBody()) > 0 {
			body = json.RawMessage(ctx.PostBody())
			if !json.Valid(ctx.PostBody()) {
				body = string(ctx.PostBody())
			}
		}
		kind := "service"
		if info.doctor != "" || info.patient != "" {
			kind = "viewer"
		}
		writeJSON(ctx, 200, map[string]any{"method": string(ctx.Method()), "path": path,
			"query": string(ctx.QueryArgs().QueryString()), "body": body, "token_kind": kind})
	case path == "/binary":
		// Bytes no text API would send: a NUL and bytes that are not UTF-8.
		ctx.SetContentType("application/octet-stream")
		ctx.SetBody(BinaryBody)
	case strings.HasPrefix(path, "/status/"):
		code, err := strconv.Atoi(strings.TrimPrefix(path, "/status/"))
		if err != nil || code < 200 || code > 599 {
			writeJSON(ctx, 400, envelopeError("bad status"))
			return
		}
		writeJSON(ctx, code, map[string]any{"IsSuccess": code < 300, "Message": "status " + strconv.Itoa(code)})
	default:
		writeJSON(ctx, 404, map[string]string{"Message": "No HTTP resource was found that matches the request URI."})
	}
}
