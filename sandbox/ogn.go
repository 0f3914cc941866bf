package sandbox

import (
	"bytes"
	"encoding/json"

	"github.com/valyala/fasthttp"
)

// token is OGN's POST /connect/token: the guide's form, OAuth2 answers.
func (s *Server) token(ctx *fasthttp.RequestCtx) {
	if !ctx.IsPost() {
		writeJSON(ctx, fasthttp.StatusMethodNotAllowed, oauthError("invalid_request", "POST required"))
		return
	}
	if !bytes.HasPrefix(ctx.Request.Header.ContentType(), []byte("application/x-www-form-urlencoded")) {
		s.reject(ctx, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
		return
	}
	form := ctx.PostArgs()
	get := func(k string) string { return string(form.Peek(k)) }
	switch {
	case get("client_id") != ClientID:
		s.reject(ctx, "invalid_client", "")
	case get("grant_type") != GrantType:
		s.reject(ctx, "unsupported_grant_type", "")
	case get("UserName") == "" || get("Password") == "" || get("ApplicationCode") == "":
		s.reject(ctx, "invalid_request", "UserName, Password and ApplicationCode are required")
	case get("UserName") != s.opts.InstitutionCode || get("Password") != s.opts.Password:
		s.reject(ctx, "invalid_grant", "Kullanıcı adı veya şifre hatalı")
	case get("ApplicationCode") != s.opts.ApplicationCode:
		s.reject(ctx, "invalid_grant", "Uygulama kodu tanımlı değil")
	default:
		s.issueToken(ctx, get("DoctorIdentityNumber"), get("PatientIdentityNumber"))
	}
}

func (s *Server) issueToken(ctx *fasthttp.RequestCtx, doctor, patient string) {
	tok := randomCode()
	s.mu.Lock()
	s.tokens[tok] = tokenInfo{doctor: doctor, patient: patient}
	if s.countsLocked(ctx) {
		s.stats.TokensByKey[doctor+"|"+patient]++
	}
	conf := s.conf
	s.mu.Unlock()
	body := map[string]any{"access_token": tok, "token_type": "Bearer", "scope": "teleradyoloji"}
	if !conf.OmitExpiresIn {
		body["expires_in"] = json.RawMessage(conf.ExpiresIn)
	}
	ctx.Response.Header.Set("Cache-Control", "no-store")
	writeJSON(ctx, fasthttp.StatusOK, body)
}

func (s *Server) reject(ctx *fasthttp.RequestCtx, code, description string) {
	s.mu.Lock()
	if s.countsLocked(ctx) {
		s.stats.TokenRejections++
	}
	s.mu.Unlock()
	writeJSON(ctx, fasthttp.StatusBadRequest, oauthError(code, description))
}

func oauthError(code, description string) map[string]string {
	m := map[string]string{"error": code}
	if description != "" {
		m["error_description"] = description
	}
	return m
}

// bearer returns the token's identity if the request carries a valid one.
func (s *Server) bearer(ctx *fasthttp.RequestCtx) (tokenInfo, bool) {
	h := ctx.Request.Header.Peek("Authorization")
	tok, ok := bytes.CutPrefix(h, []byte("Bearer "))
	if !ok {
		return tokenInfo{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	info, known := s.tokens[string(tok)]
	return info, known && !s.revoked[string(tok)]
}

func unauthorized(ctx *fasthttp.RequestCtx) {
	ctx.Response.Header.Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	writeJSON(ctx, fasthttp.StatusUnauthorized, map[string]string{"Message": "Authorization has been denied for this request."})
}
