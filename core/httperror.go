package core

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/teleradyoloji/teleradyoloji/core/internal/jsonx"
)

// httpStatusError is TRL_E_HTTP for a non-2xx answer, with the server's own
// message when its body carries one. 5xx and 429 are marked retryable.
func httpStatusError(what string, resp *response) *Error {
	e := &Error{
		Status:     HTTPError,
		Message:    fmt.Sprintf("%s failed", what),
		HTTPStatus: resp.status,
		Retryable:  resp.status >= 500 || resp.status == 429,
	}
	if isHTML(resp) {
		e.Message += " (the server answered with an HTML error page)"
	} else if msg := serverMessage(resp.body, resp.secrets); msg != "" {
		e.ServerErrorDescription = msg
	}
	return e
}

// serverMessage finds a human message in a JSON error body.
func serverMessage(body []byte, secrets []string) string {
	var obj map[string]jsonx.RawMessage
	if jsonx.Unmarshal(bytes.TrimSpace(body), &obj) != nil {
		return ""
	}
	for _, k := range []string{"message", "error_description", "errormessage", "detail", "title", "error"} {
		if raw, ok := lookupFold(obj, k); ok {
			var s string
			if jsonx.Unmarshal(raw, &s) == nil && s != "" {
				return redact(s, 200, secrets...)
			}
		}
	}
	return ""
}

// lookupFold finds key in obj ignoring case.
func lookupFold(obj map[string]jsonx.RawMessage, key string) (jsonx.RawMessage, bool) {
	if v, ok := obj[key]; ok {
		return v, true
	}
	for k, v := range obj {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

func isHTML(resp *response) bool {
	if strings.Contains(strings.ToLower(resp.contentType), "html") {
		return true
	}
	b := bytes.TrimSpace(resp.body)
	return len(b) > 0 && b[0] == '<'
}

// unexpected is TRL_E_PROTOCOL for a body that cannot be understood, with a
// short excerpt in which anything token-like is masked.
func unexpected(what string, resp *response) *Error {
	shown := "empty body"
	switch {
	case isHTML(resp):
		shown = "an HTML page"
	case len(bytes.TrimSpace(resp.body)) > 0:
		shown = `"` + excerpt(string(resp.body), 60, resp.secrets...) + `"`
	}
	return &Error{Status: ProtocolError, Message: fmt.Sprintf("unexpected %s (HTTP %d, %s)", what, resp.status, shown)}
}
