package core

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/teleradyoloji/teleradyoloji/core/internal/conn"

	"github.com/valyala/fasthttp"
)

// newHTTPClient builds the one fasthttp.Client of a trl client: TLS 1.2+ with
// verification always on, no redirects, capped bodies, every timeout set.
// Its connections come from pool (see core/internal/conn).
func newHTTPClient(cfg *Config, pool *conn.Pool) *fasthttp.Client {
	return &fasthttp.Client{
		Name:                      cfg.UserAgent,
		NoDefaultUserAgentHeader:  cfg.UserAgent == "",
		ReadTimeout:               cfg.Timeout,
		WriteTimeout:              cfg.Timeout,
		MaxIdleConnDuration:       cfg.IdleTimeout,
		MaxConnWaitTimeout:        cfg.Timeout,
		MaxResponseBodySize:       cfg.MaxResponseBytes,
		ReadBufferSize:            16 << 10,
		MaxIdemponentCallAttempts: 1, // retries are ours: see send.go
		DisablePathNormalizing:    true,
		ConfigureClient: func(hc *fasthttp.HostClient) error {
			hc.SecureErrorLogMessage = true
			pool.Configure(hc) // dial and TLS handshake within the time left
			return nil
		},
	}
}

// tlsConfigLoader returns the client's TLS settings, built once: the system
// roots (slow to load: about 40 ms, so never on the caller's thread at
// trl_client_new), the ca_file roots, and a session cache shared by every
// connection so that a reconnect resumes TLS (one round trip less on 1.2).
func tlsConfigLoader(extraPEM []byte) func() *tls.Config {
	return sync.OnceValue(func() *tls.Config {
		roots, err := x509.SystemCertPool() // on Windows: the system certificate store
		if err != nil || roots == nil {
			roots = x509.NewCertPool()
		}
		roots.AppendCertsFromPEM(extraPEM)
		return &tls.Config{
			MinVersion:         tls.VersionTLS12,
			RootCAs:            roots,
			ClientSessionCache: tls.NewLRUClientSessionCache(16),
		}
	})
}

// maxCAFileBytes bounds ca_file: a CA bundle is a few hundred KiB.
const maxCAFileBytes = 4 << 20

// readCAFile reads ca_file: a regular file of PEM certificates, bounded.
func readCAFile(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	notRegular := errorfTR(ConfigError, "Ayarlardaki \"ca_file\" en çok 4 MiB'lık sıradan bir dosya olmalı.", "config: \"ca_file\" must be a regular file of at most 4 MiB")
	unreadable := func() *Error {
		return errorfTR(ConfigError, "Ayarlardaki \"ca_file\" dosyası okunamadı.", "config: \"ca_file\" cannot be read")
	}
	// Stat before opening: opening a FIFO would block until a writer comes.
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() || st.Size() > maxCAFileBytes {
		if err != nil {
			return nil, unreadable()
		}
		return nil, notRegular
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, unreadable()
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, notRegular
	}
	pem, err := io.ReadAll(io.LimitReader(f, maxCAFileBytes+1))
	if err != nil || len(pem) > maxCAFileBytes {
		return nil, unreadable()
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return nil, errorfTR(ConfigError, "Ayarlardaki \"ca_file\" dosyasında PEM biçiminde sertifika yok.", "config: \"ca_file\" holds no PEM certificate")
	}
	return pem, nil
}

// proxyChoice is the "proxy" setting as the connection pool takes it (see
// conn.ProxyChooser); nil means direct. A proxy in the environment that is
// not a URL is a config error at once.
func proxyChoice(proxy string) (conn.ProxyChoice, error) {
	if proxy == "" {
		return nil, nil
	}
	choose := conn.ProxyChooser(proxy)
	if proxy == "env" || proxy == "system" && runtime.GOOS != "windows" {
		if _, err := choose(conn.Target{Addr: "ministry.invalid:443", TLS: true}); err != nil {
			return nil, errorfTR(ConfigError, "Vekil sunucu (proxy) ayarı kullanılamıyor.", "config: \"proxy\" is not usable")
		}
	}
	return choose, nil
}

// transportError classifies an error of fasthttp as TIMEOUT, PROTOCOL or
// NETWORK, with a message that names what failed but never carries raw
// bytes or secrets, and its Turkish twin.
func transportError(what string, err error, deadline time.Time, secrets []string) *Error {
	var netErr net.Error
	whatTR := whatTurkish(what)
	if e := proxyError(what, err); e != nil {
		return e
	}
	switch {
	case errors.Is(err, fasthttp.ErrTimeout), errors.Is(err, fasthttp.ErrDialTimeout),
		errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout(),
		!time.Now().Before(deadline):
		return &Error{Status: Timeout, Message: what + ": timed out", Retryable: true,
			MessageTR: "Bakanlık sunucusu zamanında yanıt vermedi (" + whatTR + "): ağ bağlantısını kontrol edip yeniden deneyin."}
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		return &Error{Status: ProtocolError, Message: what + ": response body larger than max_response_bytes",
			MessageTR: "Sunucunun yanıtı max_response_bytes ayarındaki sınırdan büyük (" + whatTR + ")."}
	}
	var tlsErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.As(err, &tlsErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr):
		reason, reasonTR := tlsReason(err)
		if issuer := chainIssuer(err); issuer != "" {
			reason += ", issued by " + issuer
			reasonTR += ", sertifikayı veren: " + issuer
		}
		if !errors.As(err, &hostErr) {
			reason += "; a TLS-inspecting proxy or security product may be in the way"
		}
		return &Error{Status: NetworkError, Message: what + ": TLS certificate not trusted (" + reason + ")",
			MessageTR: "Bakanlık sunucusunun güvenlik sertifikası doğrulanamadı (" + reasonTR + "): ağdaki bir güvenlik cihazı " +
				"bağlantıyı inceliyor (TLS denetimi) olabilir; bilgi işlem birimine danışın."}
	case errors.As(err, &recErr):
		return &Error{Status: NetworkError, Message: what + ": TLS handshake failed (is the server speaking plain HTTP?)", Retryable: false,
			MessageTR: "Sunucuyla güvenli bağlantı (TLS) kurulamadı: adres yanlış olabilir (sunucu şifresiz HTTP konuşuyor)."}
	}
	reason, reasonTR := networkReason(err, secrets)
	return &Error{Status: NetworkError, Message: fmt.Sprintf("%s: %s", what, reason), Retryable: true, MessageTR: reasonTR}
}

// chainIssuer names the issuer of the top certificate the server presented
// (behind a TLS-inspecting gateway, the gateway's CA), or "".
func chainIssuer(err error) string {
	var tlsErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var chain []*x509.Certificate
	switch {
	case errors.As(err, &tlsErr):
		chain = tlsErr.UnverifiedCertificates
	case errors.As(err, &unknownAuth) && unknownAuth.Cert != nil:
		chain = []*x509.Certificate{unknownAuth.Cert}
	}
	if len(chain) == 0 {
		return ""
	}
	top := chain[len(chain)-1]
	return redact(conn.IssuerName(top.Issuer.CommonName, top.Issuer.Organization), 100)
}

func tlsReason(err error) (string, string) {
	var hostErr x509.HostnameError
	if errors.As(err, &hostErr) {
		return "name mismatch", "sertifika bu sunucunun adına değil"
	}
	return "unknown authority or invalid certificate", "sertifikayı tanınmayan bir kuruluş vermiş ya da sertifika geçersiz"
}

// networkReason names a network failure in a few secret-free words, and
// says it in Turkish.
func networkReason(err error, secrets []string) (string, string) {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	const check = " Ağ bağlantısını, güvenlik duvarını ve vekil sunucu (proxy) ayarını kontrol edin."
	switch {
	case errors.As(err, &dnsErr):
		return "host name not found", "Bakanlık sunucusunun adı çözülemedi (DNS): ağ bağlantısını ve DNS ayarlarını kontrol edin."
	case errors.Is(err, fasthttp.ErrConnectionClosed), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by the server", "Bakanlık sunucusu bağlantıyı kapattı: biraz sonra yeniden deneyin." + check
	case errors.As(err, &opErr) && opErr.Op == "dial":
		tr := "Bakanlık sunucusuna bağlanılamıyor."
		if errors.Is(err, syscall.ECONNREFUSED) {
			tr = "Bakanlık sunucusuna bağlanılamıyor (bağlantı reddedildi)."
		}
		return "cannot connect (" + redact(opErr.Err.Error(), 60, secrets...) + ")", tr + check
	case errors.As(err, &opErr):
		tr := "Bakanlık sunucusuyla bağlantı koptu."
		if errors.Is(err, syscall.ECONNRESET) {
			tr = "Bakanlık sunucusuyla bağlantı karşı taraftan kesildi (reset): hastanenin IP adresi Bakanlığa tanımlı olmayabilir."
		}
		return "connection failed during " + opErr.Op, tr + check
	}
	return "connection failed (" + redact(err.Error(), 80, secrets...) + ")", "Bakanlık sunucusuna ulaşılamıyor." + check
}
