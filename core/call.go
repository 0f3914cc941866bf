package core

import (
	"bytes"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/teleradyoloji/teleradyoloji/core/internal/jsonx"
)

// CallResult is a helper-service answer; it is filled on TRL_E_HTTP too.
type CallResult struct {
	HTTPStatus int
	Body       []byte
}

// repeatableMethods may be resent after 5xx or 429: a POST (or PATCH) never
// is, since the server may already have acted on it.
var repeatableMethods = map[string]bool{"GET": true, "HEAD": true, "PUT": true, "DELETE": true}

var callMethods = map[string]bool{"GET": true, "HEAD": true, "PUT": true, "DELETE": true, "POST": true, "PATCH": true}

// Call calls a helper-service method under api_url with the service token.
// path is relative to api_url; jsonBody may be empty. A 401 refreshes the
// token once. A non-2xx answer is TRL_E_HTTP with the result still filled.
func (c *Client) Call(method, path string, jsonBody []byte) (CallResult, error) {
	method = strings.ToUpper(method)
	if !callMethods[method] {
		return CallResult{}, errorfTR(InvalidArgument, "Yöntem GET, POST, PUT, DELETE, PATCH veya HEAD olmalı.", "method must be GET, POST, PUT, DELETE, PATCH or HEAD")
	}
	target, err := c.apiURL(path)
	if err != nil {
		return CallResult{}, err
	}
	if len(jsonBody) > 0 && !jsonx.Valid(jsonBody) {
		return CallResult{}, errorfTR(InvalidArgument, "Gönderilecek gövde (json_body) geçerli bir JSON metni (UTF-8) değil.", "json_body is not valid JSON in UTF-8")
	}
	r := &request{what: method + " " + redact(pathOnly(path), 80), method: method, url: target, repeatable: repeatableMethods[method]}
	if len(jsonBody) > 0 {
		r.body, r.contentType = jsonBody, "application/json; charset=utf-8"
	}
	start := time.Now()
	deadline := c.deadline()
	var res CallResult
	answered, err := c.withToken(serviceKey, deadline, func(token string) (bool, error) {
		r.bearer = token
		resp, err := c.send(r, deadline)
		if err != nil {
			res = CallResult{}
			return false, err
		}
		res = CallResult{HTTPStatus: resp.status, Body: resp.body}
		switch {
		case resp.status < 200 || resp.status > 299:
			return resp.status == 401, httpStatusError(r.what, resp)
		case failed(resp.body):
			e := httpStatusError(r.what, resp)
			e.Message += ": the server answered IsSuccess=false"
			return false, e
		}
		return false, nil
	})
	if err != nil && !answered {
		// The last answer is not what failed (say, the token refresh after a
		// 401 did): no result on failure.
		res = CallResult{}
	}
	c.logCall(method, path, res.HTTPStatus, time.Since(start), err)
	return res, err
}

// apiURL joins path to api_url. The token never leaves api_url, so what any
// server (or proxy) could read as another host, a parent directory or
// another path is refused: absolute URLs and "//host"; control bytes,
// spaces, '#' and backslashes, raw or percent-encoded; "." and ".."
// segments, also with ";params" (Tomcat) or encoded; an encoded leading
// '/'; percent-encoding
// applied twice; and bytes that are not UTF-8 (overlong "%C0%AE").
func (c *Client) apiURL(path string) (string, error) {
	switch {
	case !utf8.ValidString(path):
		return "", errorfTR(InvalidArgument, pathTR+"geçerli UTF-8 metin değil.", "path is not valid UTF-8")
	case strings.Contains(path, "://") || strings.HasPrefix(path, "//") || strings.HasPrefix(path, "\\\\"):
		return "", errorfTR(InvalidArgument, pathTR+"tam bir adres değil, api_url'e göre bir yol olmalı.", "path must be relative to api_url, not an absolute URL")
	case strings.IndexFunc(path, badPathRune) >= 0:
		return "", errorfTR(InvalidArgument, pathTR+"boşluk, denetim karakteri, '#' veya '\\' içermemeli.", "path must not contain spaces, control characters, '#' or '\\'")
	}
	decoded, err := url.PathUnescape(pathOnly(strings.TrimLeft(path, "/")))
	switch {
	case err != nil:
		return "", errorfTR(InvalidArgument, pathTR+"hatalı bir %-kodlaması içeriyor.", "path has a bad percent-escape")
	case strings.HasPrefix(decoded, "/"):
		return "", errorfTR(InvalidArgument, pathTR+"kodlanmış bir '/' ile başlamamalı (\"//sunucu\").", "path must not start with an encoded '/' (\"//host\")")
	case strings.Contains(decoded, "%"):
		return "", errorfTR(InvalidArgument, pathTR+"iki kez %-kodlanmamalı.", "path must not be percent-encoded twice")
	case !utf8.ValidString(decoded) || strings.IndexFunc(decoded, badPathRune) >= 0:
		return "", errorfTR(InvalidArgument, pathTR+"kodlanmış denetim karakteri, boşluk, '#', '\\' veya UTF-8 olmayan bayt içermemeli.", "path must not encode control characters, spaces, '#', '\\' or non-UTF-8 bytes")
	}
	for _, seg := range strings.Split(decoded, "/") {
		seg, _, _ = strings.Cut(seg, ";")
		if seg == ".." || seg == "." {
			return "", errorfTR(InvalidArgument, pathTR+"'.' veya '..' bölümleri içermemeli.", "path must not contain '.' or '..' segments")
		}
	}
	return c.apiBase + "/" + strings.TrimLeft(path, "/"), nil
}

// pathTR begins the Turkish messages about a bad helper-service path.
const pathTR = "Servis yolu (path) geçersiz: "

// badPathRune: never in a helper-service path.
func badPathRune(r rune) bool {
	return r < 0x20 || r == 0x7f || r == ' ' || r == '#' || r == '\\' || r == utf8.RuneError
}

func pathOnly(path string) string {
	p, _, _ := strings.Cut(path, "?")
	return p
}

// failed reports a 2xx envelope that says IsSuccess:false.
func failed(body []byte) bool {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' || !bytes.Contains(bytes.ToLower(b), []byte("issuccess")) {
		return false
	}
	var obj map[string]jsonx.RawMessage
	if jsonx.Unmarshal(b, &obj) != nil {
		return false
	}
	raw, ok := lookupFold(obj, "issuccess")
	return ok && string(bytes.TrimSpace(raw)) == "false"
}
