package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/valyala/fasthttp"
)

// Stats counts what the sandbox received (GET /_sandbox/stats).
type Stats struct {
	TokenRequests        int               `json:"token_requests"`
	ServiceTokenRequests int               `json:"service_token_requests"` // no identity numbers sent
	ViewerTokenRequests  int               `json:"viewer_token_requests"`  // doctor or patient sent
	TokenRejections      int               `json:"token_rejections"`
	OTACRequests         int               `json:"otac_requests"`
	APIRequests          int               `json:"api_requests"`
	ViewerOpens          int               `json:"viewer_opens"`
	OTACsKept            int               `json:"otacs_kept"` // issued OTACs still remembered (bounded)
	TokensByKey          map[string]int    `json:"tokens_by_key"`
	LastTokenForm        map[string]string `json:"last_token_form"`
	LastOTACRequest      *WireRequest      `json:"last_otac_request"`
	LastAPIRequest       *WireRequest      `json:"last_api_request"`
	// Conns counts connections per listener ("main", "api"); reset keeps them.
	Conns map[string]ConnStats `json:"conns"`
}

// WireRequest is what a request looked like on the wire; the bearer token
// itself is never recorded.
type WireRequest struct {
	Method        string `json:"method"`
	Path          string `json:"path"`
	Query         string `json:"query"`
	ContentType   string `json:"content_type"`
	Authorization string `json:"authorization"` // the scheme only: "Bearer" or ""
	Body          string `json:"body"`
}

// Config changes how the sandbox answers (POST /_sandbox/config).
type Config struct {
	OTACShape     string          `json:"otac_shape"`
	OTACStyle     string          `json:"otac_style"` // "base64url" (default) or "base64" (with + / =)
	ExpiresIn     json.RawMessage `json:"expires_in"`
	OmitExpiresIn bool            `json:"omit_expires_in"`
	// ForbidFraming makes the viewer refuse to be framed (CSP frame-ancestors
	// 'none' and X-Frame-Options: DENY); nil leaves the setting as it was.
	ForbidFraming *bool `json:"forbid_framing,omitempty"`
	// DateSkewS shifts the Date header of every answer by that many seconds
	// (a server clock, or this computer's, that is wrong); nil leaves it.
	DateSkewS *int `json:"date_skew_s,omitempty"`
	// BlockIP answers every request but /_sandbox/ with 403 and an HTML
	// page saying the client's IP address is not allowed, as the Ministry's
	// firewall does for an unregistered hospital; nil leaves it.
	BlockIP *bool `json:"block_ip,omitempty"`
}

func defaultConfig() Config {
	return Config{OTACShape: "envelope", OTACStyle: "base64url", ExpiresIn: json.RawMessage("3600")}
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.TokensByKey = make(map[string]int, len(s.stats.TokensByKey))
	for k, v := range s.stats.TokensByKey {
		st.TokensByKey[k] = v
	}
	st.OTACsKept = s.otacs.len()
	st.Conns = s.Conns()
	return st
}

// SetConfig merges the non-empty fields of c.
func (s *Server) SetConfig(c Config) error {
	if c.OTACShape != "" && !otacShapes[c.OTACShape] {
		return fmt.Errorf("unknown otac_shape %q", c.OTACShape)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.OTACShape != "" {
		s.conf.OTACShape = c.OTACShape
	}
	if c.OTACStyle != "" {
		s.conf.OTACStyle = c.OTACStyle
	}
	if c.ExpiresIn != nil {
		s.conf.ExpiresIn = c.ExpiresIn
	}
	s.conf.OmitExpiresIn = c.OmitExpiresIn
	if c.ForbidFraming != nil {
		forbid := *c.ForbidFraming
		s.conf.ForbidFraming = &forbid
	}
	if c.DateSkewS != nil {
		skew := *c.DateSkewS
		s.conf.DateSkewS = &skew
	}
	if c.BlockIP != nil {
		block := *c.BlockIP
		s.conf.BlockIP = &block
	}
	return nil
}

// Reset clears counters, faults and config. Tokens issued so far stay valid
// (use Revoke to end them), so clients' caches survive between tests.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}

func (s *Server) resetLocked() {
	s.gen++
	s.releaseLocked()
	s.stats = Stats{TokensByKey: map[string]int{}}
	s.faults = nil
	s.conf = defaultConfig()
	s.closeFaultServersLocked()
	if s.tokens == nil {
		s.tokens = map[string]tokenInfo{}
		s.otacs = newOTACStore(s.opts.OTACLifetime, s.opts.MaxOTACs)
		s.revoked = map[string]bool{}
	}
}

// Revoke makes every token issued so far invalid.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.tokens {
		s.revoked[t] = true
	}
}

func (s *Server) control(ctx *fasthttp.RequestCtx, what string) {
	post := ctx.IsPost()
	switch {
	case what == "stats" && ctx.IsGet():
		writeJSON(ctx, 200, s.Stats())
	case what == "reset" && post:
		s.Reset()
		writeJSON(ctx, 200, map[string]bool{"ok": true})
	case what == "revoke" && post:
		s.Revoke()
		writeJSON(ctx, 200, map[string]bool{"ok": true})
	case what == "config" && post:
		dec := json.NewDecoder(bytes.NewReader(ctx.PostBody()))
		dec.DisallowUnknownFields()
		var c Config
		if err := dec.Decode(&c); err != nil {
			writeJSON(ctx, 400, map[string]string{"error": err.Error()})
			return
		}
		if err := s.SetConfig(c); err != nil {
			writeJSON(ctx, 400, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(ctx, 200, map[string]bool{"ok": true})
	case what == "drop_connections" && post:
		writeJSON(ctx, 200, map[string]int{"dropped": s.DropConnections(ctx.Conn())})
	case what == "release" && post:
		s.Release()
		writeJSON(ctx, 200, map[string]bool{"ok": true})
	case what == "faults" && post:
		s.addFaults(ctx)
	case what == "check_otacs" && post:
		s.checkOTACsControl(ctx)
	case what == "fault_server" && post:
		s.faultServerControl(ctx)
	default:
		writeJSON(ctx, 404, map[string]string{"error": "unknown control endpoint"})
	}
}

// addFaults takes one fault object or an array of them.
func (s *Server) addFaults(ctx *fasthttp.RequestCtx) {
	body := bytes.TrimSpace(ctx.PostBody())
	var list []Fault
	if len(body) > 0 && body[0] == '{' {
		body = append(append([]byte("["), body...), ']')
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&list); err != nil {
		writeJSON(ctx, 400, map[string]string{"error": err.Error()})
		return
	}
	for _, f := range list {
		if !faultKinds[f.Kind] || !faultTargets[f.Target] || f.Count < 0 {
			writeJSON(ctx, 400, map[string]string{"error": "bad fault: target must be token|otac|api|viewer|any, kind latency|hold|answer_close|status|unauthorized|malformed|html|huge|close|reset"})
			return
		}
	}
	for _, f := range list {
		s.AddFault(f)
	}
	writeJSON(ctx, 200, map[string]bool{"ok": true})
}

// record counts a request to target and keeps what it looked like.
func (s *Server) record(target string, ctx *fasthttp.RequestCtx) {
	wire := &WireRequest{
		Method:      string(ctx.Method()),
		Path:        string(ctx.Path()),
		Query:       string(ctx.QueryArgs().QueryString()),
		ContentType: string(ctx.Request.Header.ContentType()),
		Body:        string(ctx.PostBody()),
	}
	if scheme, _, ok := bytes.Cut(ctx.Request.Header.Peek("Authorization"), []byte(" ")); ok {
		wire.Authorization = string(scheme)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx.SetUserValue(genKey, s.gen)
	switch target {
	case "token":
		s.stats.TokenRequests++
		form := map[string]string{}
		ctx.PostArgs().VisitAll(func(k, v []byte) { form[string(k)] = string(v) })
		if _, ok := form["Password"]; ok {
			form["Password"] = "<wrong>"
			if string(ctx.PostArgs().Peek("Password")) == s.opts.Password {
				form["Password"] = "<ok>"
			}
		}
		if form["DoctorIdentityNumber"] != "" || form["PatientIdentityNumber"] != "" {
			s.stats.ViewerTokenRequests++
		} else {
			s.stats.ServiceTokenRequests++
		}
		s.stats.LastTokenForm = form
	case "otac":
		s.stats.OTACRequests++
		s.stats.LastOTACRequest = wire
	case "api":
		s.stats.APIRequests++
		s.stats.LastAPIRequest = wire
	}
}

// genKey holds, on each request, the generation it arrived in.
const genKey = "sandbox-generation"

// countsLocked reports whether ctx arrived after the last reset; a request
// delayed by a latency fault across a reset must not count in the new one.
func (s *Server) countsLocked(ctx *fasthttp.RequestCtx) bool {
	g, ok := ctx.UserValue(genKey).(uint64)
	return ok && g == s.gen
}

func writeJSON(ctx *fasthttp.RequestCtx, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	b := bytes.TrimRight(buf.Bytes(), "\n")
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json; charset=utf-8")
	ctx.SetBody(b)
}
