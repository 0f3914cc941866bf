package core

import (
	"fmt"
	"strings"
)

// Turkish messages: every error JSON carries "message_tr", plain Turkish for
// the person in front of the HIS (a radiologist, a clerk, support staff).
// An error made where the library knows exactly what went wrong carries its
// own (Error.MessageTR); every other one gets the text of its status and
// what the server said.

// errorfTR is errorf with the Turkish message.
func errorfTR(s Status, tr string, format string, args ...any) *Error {
	e := errorf(s, format, args...)
	e.MessageTR = tr
	return e
}

// TurkishMessage is the message_tr of err.
func TurkishMessage(err error) string {
	e, ok := err.(*Error)
	if !ok || e == nil {
		return StatusTurkish(Internal)
	}
	if e.MessageTR != "" {
		return e.MessageTR
	}
	switch e.Status {
	case AuthError:
		return authTurkish(e)
	case HTTPError:
		return httpTurkish(e)
	}
	return StatusTurkish(e.Status)
}

// StatusTurkish is the general Turkish text of a status code.
func StatusTurkish(s Status) string {
	switch s {
	case OK:
		return "İşlem başarılı."
	case InvalidArgument:
		return "Kütüphaneye geçersiz bir değer verildi (program hatası): HBYS firmasına bildirin."
	case ConfigError:
		return "Bağlantı ayarları hatalı: HBYS firmasına veya bilgi işlem birimine bildirin."
	case BadHandle:
		return "Bağlantı nesnesi kapatılmış veya geçersiz (program hatası): HBYS firmasına bildirin."
	case AuthError:
		return "e-Nabız şifresi veya kurum kodu hatalı: OGN giriş bilgilerini kabul etmedi."
	case HTTPError:
		return "Bakanlık sunucusu isteği kabul etmedi."
	case NetworkError:
		return "Bakanlık sunucusuna ulaşılamıyor: ağ bağlantısını, güvenlik duvarını ve vekil sunucu (proxy) ayarını kontrol edin."
	case Timeout:
		return "Bakanlık sunucusu zamanında yanıt vermedi: ağ bağlantısını kontrol edip yeniden deneyin."
	case ProtocolError:
		return "Bakanlık sunucusundan anlaşılamayan bir yanıt geldi: araya giren bir cihaz (proxy, güvenlik duvarı) yanıtı değiştiriyor olabilir."
	case Internal:
		return "Kütüphanede beklenmeyen bir hata oluştu: HBYS firmasına bildirin."
	case Forked:
		return "Kütüphane, yüklendikten sonra çatallanmış (fork) bir süreçte çağrıldı ve orada çalışamaz (program hatası): HBYS firmasına bildirin."
	}
	return "Bilinmeyen bir hata oluştu (kod " + fmt.Sprint(int32(s)) + ")."
}

func authTurkish(e *Error) string {
	var msg string
	switch e.ServerError {
	case "invalid_client":
		msg = "OGN istemci kimliğini (client_id) kabul etmedi: bu ayarı boş bırakın (varsayılanı ogn.sbys.api)."
	case "unsupported_grant_type":
		msg = "OGN yetki türünü (grant_type) kabul etmedi: bu ayarı boş bırakın (varsayılanı client_sbys)."
	case "unauthorized_client":
		msg = "Bu HBYS uygulamasının OGN'den token almaya yetkisi yok: uygulama kodunun Bakanlıkta tanımlı olduğunu kontrol edin."
	case "invalid_request":
		msg = "OGN isteği eksik buldu: kurum kodu, e-Nabız şifresi ve uygulama kodu dolu olmalı."
	default:
		msg = "e-Nabız şifresi veya kurum kodu hatalı (ya da HBYS firmasının uygulama kodu tanımlı değil): OGN giriş bilgilerini kabul etmedi."
	}
	return withServerText(msg, e.ServerErrorDescription)
}

func httpTurkish(e *Error) string {
	var msg string
	switch s := e.HTTPStatus; {
	case s >= 200 && s < 300:
		msg = "Bakanlık sunucusu işlemi yapamadı."
	case s == 401:
		msg = "Bakanlık sunucusu oturum anahtarını (token) kabul etmedi (HTTP 401)."
	case s == 403:
		msg = "Bakanlık sunucusu erişimi reddetti (HTTP 403): hastanenin internete çıktığı IP adresi Bakanlığa tanımlı olmayabilir."
	case s == 404:
		msg = "İstenen adres Bakanlık sunucusunda bulunamadı (HTTP 404)."
	case s == 407:
		msg = "Vekil sunucu (proxy) kullanıcı adı ve şifre istiyor (HTTP 407): proxy ayarını bilgi işlem birimine sorun."
	case s == 429:
		msg = "Bakanlık sunucusu çok fazla istek aldığını bildirdi (HTTP 429): biraz sonra yeniden deneyin."
	case s >= 500:
		msg = fmt.Sprintf("Bakanlık sunucusunda geçici bir sorun var (HTTP %d): biraz sonra yeniden deneyin.", s)
	case s > 0:
		msg = fmt.Sprintf("Bakanlık sunucusu isteği kabul etmedi (HTTP %d).", s)
	default:
		msg = StatusTurkish(HTTPError)
	}
	return withServerText(msg, e.ServerErrorDescription)
}

// withServerText adds the server's own words (often Turkish already).
func withServerText(msg, server string) string {
	if server = strings.TrimSpace(server); server == "" {
		return msg
	}
	return msg + " Sunucunun açıklaması: " + server
}

// whatTurkish names an exchange ("OGN token request", "postOTAC", "GET x").
func whatTurkish(what string) string {
	switch what {
	case "OGN token request":
		return "OGN token isteği"
	case "postOTAC":
		return "görüntüleme kodu (postOTAC) isteği"
	}
	return "servis çağrısı (" + what + ")"
}
