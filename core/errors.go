package core

import (
	"fmt"
	"strings"
)

// Status is an error category; its values are the C ABI's status codes.
type Status int32

// The ABI v1 status codes. Codes are only ever appended.
const (
	OK              Status = 0
	InvalidArgument Status = 1
	ConfigError     Status = 2
	BadHandle       Status = 3
	AuthError       Status = 4
	HTTPError       Status = 5
	NetworkError    Status = 6
	Timeout         Status = 7
	ProtocolError   Status = 8
	Internal        Status = 9
	// Forked is answered by the C shim alone (export/shim.c): a call in a
	// child forked after the library loaded never reaches Go.
	Forked Status = 10

	// LastStatus is the highest code.
	LastStatus = Forked
)

var statusNames = [...]string{
	"TRL_OK", "TRL_E_INVALID_ARGUMENT", "TRL_E_CONFIG", "TRL_E_BAD_HANDLE",
	"TRL_E_AUTH", "TRL_E_HTTP", "TRL_E_NETWORK", "TRL_E_TIMEOUT",
	"TRL_E_PROTOCOL", "TRL_E_INTERNAL", "TRL_E_FORKED",
}

// Name is the ABI name of s, e.g. "TRL_E_AUTH"; "TRL_E_UNKNOWN" when unknown.
func (s Status) Name() string {
	if s < 0 || int(s) >= len(statusNames) {
		return "TRL_E_UNKNOWN"
	}
	return statusNames[s]
}

// Error is every error the library returns. Its text never holds a password,
// token or OTAC.
type Error struct {
	Status                 Status
	Message                string
	HTTPStatus             int    // 0 when there was no HTTP answer
	ServerError            string // OAuth2 "error", when the server gave one
	ServerErrorDescription string // OAuth2 "error_description" or the API's message
	Retryable              bool
	Body                   []byte // the server's body on a non-2xx helper-service answer
	// MessageTR is the Turkish message when the maker knows better than
	// the status (see TurkishMessage); "" derives it.
	MessageTR string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	if e.ServerError != "" {
		fmt.Fprintf(&b, " [%s]", e.ServerError)
	}
	if e.ServerErrorDescription != "" {
		fmt.Fprintf(&b, ": %s", e.ServerErrorDescription)
	}
	return b.String()
}

func errorf(s Status, format string, args ...any) *Error {
	return &Error{Status: s, Message: fmt.Sprintf(format, args...)}
}

// StatusOf is the category of err: OK for nil, Internal for a foreign error.
func StatusOf(err error) Status {
	if err == nil {
		return OK
	}
	if e, ok := err.(*Error); ok {
		return e.Status
	}
	return Internal
}
