package core

import (
	"bytes"
	"strings"
	"time"

	"github.com/teleradyoloji/teleradyoloji/core/internal/jsonx"
	"github.com/valyala/fasthttp"
)

// postOTAC sends the guide's PostOtac request with token and reads the OTAC.
func (c *Client) postOTAC(token, accession string, deadline time.Time) (string, error) {
	body, _ := jsonx.Marshal(struct {
		AccessionNumber string
	}{accession})
	start := time.Now()
	resp, err := c.send(&request{
		what:        "postOTAC",
		method:      fasthttp.MethodPost,
		url:         c.otacURL,
		contentType: "application/json",
		body:        body,
		bearer:      token,
		repeatable:  true, // an OTAC request has no effect beyond a one-time code
	}, deadline)
	if err != nil {
		return "", err
	}
	if resp.status < 200 || resp.status > 299 {
		return "", httpStatusError("postOTAC", resp)
	}
	otac, err := parseOTACResponse(resp)
	if err == nil {
		logOTAC(time.Since(start))
	}
	return otac, err
}

// otacKeys are the keys under which a JSON object may carry the OTAC or URL.
var otacKeys = []string{"otac", "url", "data", "value", "result"}

// parseOTACResponse accepts every plausible shape of PostOtac's undocumented
// answer (SPEC decision 2): bare text, a JSON string, an object carrying the
// value under a common key, an envelope {"Data":…,"IsSuccess":…}; the value
// being a bare OTAC or a full viewer URL. It returns the bare OTAC.
func parseOTACResponse(resp *response) (string, error) {
	b := bytes.TrimSpace(bytes.TrimPrefix(resp.body, []byte("\xef\xbb\xbf")))
	var value string
	switch {
	case len(b) == 0 || isHTML(resp):
		return "", unexpected("postOTAC response", resp)
	case b[0] == '"':
		if jsonx.Unmarshal(b, &value) != nil {
			return "", unexpected("postOTAC response", resp)
		}
	case b[0] == '{':
		v, err := otacFromObject(b, 0, resp.secrets)
		if err != nil {
			if e, ok := err.(*Error); ok && e.Status == HTTPError {
				e.HTTPStatus = resp.status
				return "", e
			}
			return "", unexpected("postOTAC response", resp)
		}
		value = v
	case b[0] == '[':
		return "", unexpected("postOTAC response", resp)
	default:
		value = string(b)
	}
	value = strings.TrimSpace(value)
	if strings.Contains(value, "://") {
		otac, ok := otacFromURL(value)
		if !ok {
			return "", unexpected("postOTAC response (a URL without an otac)", resp)
		}
		value = otac
	}
	if !validOTAC(value) {
		return "", unexpected("postOTAC response", resp)
	}
	return value, nil
}

// otacFromObject reads an object (and one nested level) for the value; an
// envelope saying IsSuccess:false is TRL_E_HTTP with the server's message.
func otacFromObject(b []byte, depth int, secrets []string) (string, error) {
	var obj map[string]jsonx.RawMessage
	if err := jsonx.Unmarshal(b, &obj); err != nil {
		return "", err
	}
	if raw, ok := lookupFold(obj, "issuccess"); ok && string(bytes.TrimSpace(raw)) == "false" {
		return "", &Error{Status: HTTPError, Message: "postOTAC failed: the server answered IsSuccess=false",
			ServerErrorDescription: serverMessage(b, secrets)}
	}
	for _, k := range otacKeys {
		raw, ok := lookupFold(obj, k)
		if !ok {
			continue
		}
		raw = bytes.TrimSpace(raw)
		var s string
		switch {
		case len(raw) > 0 && raw[0] == '"' && jsonx.Unmarshal(raw, &s) == nil && s != "":
			return s, nil
		case len(raw) > 0 && raw[0] == '{' && depth == 0:
			if s, err := otacFromObject(raw, 1, secrets); err == nil {
				return s, nil
			}
		}
	}
	return "", errorf(ProtocolError, "no OTAC in the object")
}
