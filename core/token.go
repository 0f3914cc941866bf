package core

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/teleradyoloji/teleradyoloji/core/internal/jsonx"
	"github.com/valyala/fasthttp"
)

// Token is an OGN access token and the expiry the library uses for it.
type Token struct {
	Value     string
	ExpiresAt time.Time
}

// tokenKey names a cached token: the service token, or a viewer token for a
// (doctor, patient) pair. The service token and the viewer token with no
// identity numbers are different keys.
type tokenKey struct {
	viewer  bool
	doctor  string
	patient string
}

var serviceKey = tokenKey{}

// tokenForm is the guide's form body for POST {ogn}/connect/token.
func (c *Client) tokenForm(k tokenKey) []byte {
	args := fasthttp.AcquireArgs()
	defer fasthttp.ReleaseArgs(args)
	args.Add("client_id", c.cfg.ClientID)
	args.Add("grant_type", c.cfg.GrantType)
	args.Add("UserName", c.cfg.InstitutionCode)
	args.Add("Password", c.cfg.Password)
	args.Add("ApplicationCode", c.cfg.ApplicationCode)
	if k.doctor != "" {
		args.Add("DoctorIdentityNumber", k.doctor)
	}
	if k.patient != "" {
		args.Add("PatientIdentityNumber", k.patient)
	}
	return append([]byte(nil), args.QueryString()...)
}

// fetchToken asks OGN for a new token. lifetime <= 0 means "do not cache".
func (c *Client) fetchToken(k tokenKey, deadline time.Time) (tok Token, lifetime time.Duration, err error) {
	sentAt := c.clock()
	resp, err := c.send(&request{
		what:        "OGN token request",
		method:      fasthttp.MethodPost,
		url:         c.tokenURL,
		contentType: "application/x-www-form-urlencoded",
		body:        c.tokenForm(k),
		repeatable:  true,
	}, deadline)
	if err != nil {
		return Token{}, 0, err
	}
	value, lifetime, err := parseTokenResponse(resp, c.cfg.DefaultTokenLifetime)
	if err != nil {
		return Token{}, 0, err
	}
	return Token{Value: value, ExpiresAt: sentAt.Add(lifetime)}, lifetime, nil
}

type tokenBody struct {
	AccessToken      string           `json:"access_token"`
	ExpiresIn        jsonx.RawMessage `json:"expires_in"`
	TokenType        string           `json:"token_type"`
	Error            string           `json:"error"`
	ErrorDescription string           `json:"error_description"`
}

// parseTokenResponse reads OGN's OAuth2 answer. A 4xx carrying an OAuth2
// "error" is AUTH (never retried); other failures are HTTP or PROTOCOL.
func parseTokenResponse(resp *response, defaultLifetime time.Duration) (string, time.Duration, error) {
	var b tokenBody
	jsonErr := jsonx.Unmarshal(bytes.TrimSpace(resp.body), &b)
	ok := resp.status >= 200 && resp.status < 300
	switch {
	case !ok && jsonErr == nil && b.Error != "" && resp.status >= 400 && resp.status < 500 && resp.status != 429:
		return "", 0, &Error{
			Status:                 AuthError,
			Message:                "OGN refused the credentials",
			HTTPStatus:             resp.status,
			ServerError:            redact(b.Error, 64, resp.secrets...),
			ServerErrorDescription: redact(b.ErrorDescription, 200, resp.secrets...),
		}
	case !ok:
		e := httpStatusError("OGN token request", resp)
		if jsonErr == nil {
			e.ServerError, e.ServerErrorDescription = redact(b.Error, 64, resp.secrets...), redact(b.ErrorDescription, 200, resp.secrets...)
		}
		return "", 0, e
	case jsonErr != nil:
		return "", 0, unexpected("OGN token response", resp)
	case b.AccessToken == "":
		if b.Error != "" {
			return "", 0, &Error{Status: AuthError, Message: "OGN refused the credentials", HTTPStatus: resp.status,
				ServerError: redact(b.Error, 64, resp.secrets...), ServerErrorDescription: redact(b.ErrorDescription, 200, resp.secrets...)}
		}
		return "", 0, errorf(ProtocolError, "OGN token response has no access_token")
	case !visibleASCII(b.AccessToken):
		return "", 0, errorf(ProtocolError, "OGN token response has a malformed access_token")
	}
	return b.AccessToken, parseLifetime(b.ExpiresIn, defaultLifetime), nil
}

// visibleASCII: a token goes into an Authorization header as it is, so
// white space of any kind (\v, U+00A0, …), control and non-ASCII bytes are
// refused.
func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// parseLifetime reads expires_in as a number or numeric string; missing or
// invalid gives the default (never "forever").
func parseLifetime(raw jsonx.RawMessage, def time.Duration) time.Duration {
	s := strings.TrimSpace(string(raw))
	if len(s) >= 2 && s[0] == '"' {
		if err := jsonx.Unmarshal(raw, &s); err != nil {
			return def
		}
		s = strings.TrimSpace(s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f || f > 10*365*24*3600 || f < -1e9 {
		return def
	}
	return time.Duration(f * float64(time.Second))
}
