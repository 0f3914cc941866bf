package core

import (
	"errors"
	"fmt"

	"github.com/teleradyoloji/teleradyoloji/core/internal/conn"
)

// proxyError is the error of a proxy's refusal, or nil. A 407 is about the
// user's credentials, not the network: never retried (a proxy that checks
// Active Directory locks the account after a few failed logins), and the
// connection pool does not ask that proxy again for a minute.
func proxyError(what string, err error) *Error {
	var auth *conn.ProxyAuthError
	var refused *conn.ProxyRefusedError
	switch {
	case errors.As(err, &auth):
		return &Error{Status: NetworkError, HTTPStatus: 407,
			Message: what + ": the proxy " + auth.Proxy + " refused the user name or password given in \"proxy\"",
			MessageTR: "Vekil sunucu (proxy) " + auth.Proxy + " kullanıcı adını veya şifreyi kabul etmedi (HTTP 407): " +
				"ayarlardaki \"proxy\" adresinde verilen kullanıcı adı ve şifreyi bilgi işlem birimine doğrulatın. " +
				"Hesabın kilitlenmemesi için bu vekil sunucu bir dakika boyunca yeniden denenmeyecek."}
	case errors.As(err, &refused):
		e := &Error{Status: NetworkError, HTTPStatus: refused.Status, Retryable: refused.Status >= 500,
			Message: fmt.Sprintf("%s: the proxy %s refused to connect to %s", what, refused.Proxy, refused.Target)}
		if refused.Status >= 500 {
			e.MessageTR = fmt.Sprintf("Vekil sunucu (proxy) %s, Bakanlık sunucusuna (%s) ulaşamadı (HTTP %d): biraz sonra yeniden deneyin; sürerse bilgi işlem birimine bildirin.",
				refused.Proxy, refused.Target, refused.Status)
		} else {
			e.MessageTR = fmt.Sprintf("Vekil sunucu (proxy) %s, Bakanlık sunucusuna (%s) bağlanmayı reddetti (HTTP %d): bilgi işlem biriminden bu adrese izin verilmesini isteyin.",
				refused.Proxy, refused.Target, refused.Status)
		}
		return e
	}
	return nil
}
