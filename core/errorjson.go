package core

import "github.com/teleradyoloji/teleradyoloji/core/internal/jsonx"

type errorJSON struct {
	Code                   int32  `json:"code"`
	Name                   string `json:"name"`
	Message                string `json:"message"`
	HTTPStatus             int    `json:"http_status,omitempty"`
	ServerError            string `json:"server_error,omitempty"`
	ServerErrorDescription string `json:"server_error_description,omitempty"`
	Retryable              bool   `json:"retryable"`
	MessageTR              string `json:"message_tr"`
}

// ErrorJSON is the ABI's error object for err: code, name, message and
// retryable always; http_status, server_error and server_error_description
// when known; message_tr (Turkish) always. A foreign error becomes
// TRL_E_INTERNAL without its text.
// T.C. identity numbers are masked in every text, whatever made it.
func ErrorJSON(err error) []byte {
	e, ok := err.(*Error)
	if !ok || e == nil {
		e = &Error{Status: Internal, Message: "internal error"}
	}
	b, mErr := jsonx.Marshal(errorJSON{
		Code:                   int32(e.Status),
		Name:                   e.Status.Name(),
		Message:                MaskIdentityNumbers(e.Message),
		HTTPStatus:             e.HTTPStatus,
		ServerError:            MaskIdentityNumbers(e.ServerError),
		ServerErrorDescription: MaskIdentityNumbers(e.ServerErrorDescription),
		Retryable:              e.Retryable,
		MessageTR:              MaskIdentityNumbers(TurkishMessage(e)),
	})
	if mErr != nil {
		return []byte(`{"code":9,"name":"TRL_E_INTERNAL","message":"cannot encode error","retryable":false,` +
			`"message_tr":"Kütüphanede beklenmeyen bir hata oluştu: HBYS firmasına bildirin."}`)
	}
	return b
}
