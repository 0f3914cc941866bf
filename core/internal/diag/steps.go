package diag

import (
	"fmt"
	"net/url"
	"time"
)

// checkClock compares the first server Date (OGN's first) with the local
// clock at its arrival.
func checkClock(in *Input, results []*hostResult) Step {
	st := Step{Step: "clock", OK: true}
	anyHTTP := false
	for _, r := range results {
		anyHTTP = anyHTTP || r.httpOK
		if r.date.IsZero() {
			continue
		}
		st.Target = r.host.Target
		skew := r.dateAt.Sub(r.date)
		// Date has whole seconds: up to 1 s of it is rounding.
		abs := skew
		if abs < 0 {
			abs = -abs
		}
		host := hostOf(r.host.Base)
		if abs > ClockLimit {
			st.OK = false
			st.Message = fmt.Sprintf("this computer's clock differs from %s's by %s (server: %s)", host, roundSkew(abs), r.date.Format(time.RFC1123))
			st.MessageTR = fmt.Sprintf("bu bilgisayarın saati %s sunucusununkinden %s farklı (sunucu: %s)", host, roundSkewTR(abs), r.date.Format("02.01.2006 15:04:05 MST"))
			adviceClock(skew, host).set(&st)
			return st
		}
		st.Message = fmt.Sprintf("this computer's clock is within %s of %s's", max(abs.Round(time.Second), time.Second), host)
		st.MessageTR = fmt.Sprintf("bu bilgisayarın saati %s sunucusununkiyle uyumlu (fark %s içinde)", host, durTR(max(abs.Round(time.Second), time.Second)))
		return st
	}
	if !anyHTTP {
		st.OK, st.Skipped = false, true
		st.Message = "skipped: no server answered over HTTP"
		st.MessageTR = "atlandı: hiçbir sunucu HTTP yanıtı vermedi"
		return st
	}
	st.Message = "not checked: no server sent a Date header"
	st.MessageTR = "denetlenmedi: hiçbir sunucu Date başlığı göndermedi"
	return st
}

func durTR(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%.1f saat", d.Hours())
	case d >= time.Minute:
		return fmt.Sprintf("%.0f dakika", d.Minutes())
	}
	return fmt.Sprintf("%.0f saniye", d.Seconds())
}

// resultFor finds the result of target.
func resultFor(results []*hostResult, target string) *hostResult {
	for _, r := range results {
		if r.host.Target == target {
			return r
		}
	}
	return nil
}

// checkCredentials asks OGN for a fresh service token.
func checkCredentials(in *Input, results []*hostResult) (Step, string) {
	st := Step{Step: "credentials", Target: "ogn"}
	if r := resultFor(results, "ogn"); r == nil || !r.httpOK {
		st.Skipped = true
		st.Message, st.MessageTR = "skipped: OGN is not reachable (see above)", "atlandı: OGN'ye ulaşılamıyor (yukarıya bakın)"
		return st, ""
	}
	var token string
	var out Outcome
	timed(&st, func() { token, out = in.Credentials(time.Now().Add(in.StepTimeout)) })
	if out.Code == "" {
		st.OK = true
		st.Message = fmt.Sprintf("OGN accepted the institution code, e-Nabız password and application code: a service token valid %s", out.Lifetime.Round(time.Second))
		st.MessageTR = fmt.Sprintf("OGN kurum kodunu, e-Nabız şifresini ve uygulama kodunu kabul etti: %s geçerli bir servis tokenı verdi", durTR(out.Lifetime.Round(time.Second)))
		return st, token
	}
	st.Message, st.MessageTR = out.Message, out.MessageTR
	switch {
	case out.Code == "TRL_E_AUTH" && (out.ServerError == "invalid_client" || out.ServerError == "unsupported_grant_type"):
		adviceClientID.set(&st)
	case out.Code == "TRL_E_AUTH" && out.ServerError == "unauthorized_client":
		adviceApplication.set(&st)
	case out.Code == "TRL_E_AUTH":
		adviceCredentials.set(&st)
	default:
		in.outcomeAdvice(out).set(&st)
	}
	return st, ""
}

// checkAPI makes an authenticated GET of the API's base URL: nothing
// changes on the Ministry's side (a GET, and no method lives there), and
// only a refusal of the token (401, 403) fails it.
func checkAPI(in *Input, results []*hostResult, cred Step, token string) Step {
	st := Step{Step: "api_call", Target: "api"}
	if r := resultFor(results, "api"); r == nil || !r.httpOK || !cred.OK {
		st.Skipped = true
		st.Message = "skipped: needs the API host reachable and a service token (see above)"
		st.MessageTR = "atlandı: API sunucusuna ulaşılması ve bir servis tokenı gerekiyor (yukarıya bakın)"
		return st
	}
	var out Outcome
	timed(&st, func() { out = in.APICall(token, time.Now().Add(in.StepTimeout)) })
	switch {
	case out.Status == 401 || out.Status == 403:
		st.Message = fmt.Sprintf("GET of the API's base URL with the token: HTTP %d: the API refused the token", out.Status)
		st.MessageTR = fmt.Sprintf("API'nin ana adresine tokenla GET: HTTP %d: API tokenı kabul etmedi", out.Status)
		a := adviceAPIRefused
		if out.Status == 403 {
			a = a.plus(adviceIP("HTTP 403", "HTTP 403"))
		}
		a.set(&st)
	case out.Status >= 500:
		st.Message = fmt.Sprintf("GET of the API's base URL with the token: HTTP %d", out.Status)
		st.MessageTR = fmt.Sprintf("API'nin ana adresine tokenla GET: HTTP %d", out.Status)
		adviceServer(out.Status).set(&st)
	case out.Status > 0:
		st.OK = true
		st.Message = fmt.Sprintf("GET of the API's base URL with the token: HTTP %d: the token was not refused", out.Status)
		st.MessageTR = fmt.Sprintf("API'nin ana adresine tokenla GET: HTTP %d: token reddedilmedi", out.Status)
	default:
		st.Message, st.MessageTR = out.Message, out.MessageTR
		in.outcomeAdvice(out).set(&st)
	}
	return st
}

// outcomeAdvice is the advice for a failed request through the client.
func (in *Input) outcomeAdvice(out Outcome) advice {
	switch {
	case out.Status == 403:
		return adviceIP("HTTP 403", "HTTP 403")
	case out.Status == 407:
		proxy, given := "proxy:port", false
		if len(in.Hosts) > 0 {
			if u, err := url.Parse(in.Hosts[0].Base); err == nil {
				if c, err := in.chooseProxy(u); err == nil && c.proxy != nil {
					proxy, given = c.proxy.Host, c.proxy.User != nil
				}
			}
		}
		return adviceProxyLogin(proxy, given)
	case out.Status >= 500:
		return adviceServer(out.Status)
	case out.Code == "TRL_E_PROTOCOL" || out.Status > 0:
		return adviceNotOGN
	}
	return adviceRetry
}

// hostOf is the host[:port] of a URL.
func hostOf(base string) string {
	for _, p := range []string{"https://", "http://"} {
		if len(base) > len(p) && base[:len(p)] == p {
			base = base[len(p):]
		}
	}
	for i := 0; i < len(base); i++ {
		if base[i] == '/' {
			return base[:i]
		}
	}
	return base
}
