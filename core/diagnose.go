package core

import (
	"crypto/x509"
	"fmt"
	"runtime"
	"time"

	"github.com/teleradyoloji/teleradyoloji/core/internal/diag"
	"github.com/teleradyoloji/teleradyoloji/core/internal/logx"
	"github.com/valyala/fasthttp"
)

// Report is the connection doctor's report (trl_diagnose).
type Report = diag.Report

// maxStepTimeout bounds each network step of the doctor.
const maxStepTimeout = 10 * time.Second

// Diagnose runs the connection doctor for c's configuration: settings,
// proxy, DNS, TCP, TLS and HTTP of each host, the clock, OGN credentials (a
// fresh service token, not cached) and an authenticated GET of the API's
// base URL. It never fails: what failed is in the report.
func (c *Client) Diagnose() Report {
	in := diag.Input{
		Hosts: []diag.Host{{Target: "ogn", Base: c.cfg.OGNURL}, {Target: "api", Base: c.cfg.APIURL},
			{Target: "viewer", Base: c.cfg.ViewerURL}},
		Proxy:       c.cfg.Proxy,
		Roots:       c.tlsConfig().RootCAs,
		StepTimeout: min(c.cfg.Timeout, maxStepTimeout),
		UserAgent:   c.cfg.UserAgent,
		Secrets:     c.secrets,
		Credentials: c.diagCredentials,
		APICall:     c.diagAPICall,
	}
	if len(c.caPEM) > 0 {
		in.CAFileRoots = x509.NewCertPool()
		in.CAFileRoots.AppendCertsFromPEM(c.caPEM)
	}
	proxy, proxyTR := "none", "yok"
	if c.cfg.Proxy != "" {
		proxy, proxyTR = proxyDisplay(c.cfg.Proxy), proxyDisplay(c.cfg.Proxy)
	}
	if proxy == "system" && runtime.GOOS == "windows" {
		proxy, proxyTR = "system (this user's Windows proxy settings)", "system (bu kullanıcının Windows vekil sunucu ayarları)"
	} else if proxy == "system" {
		proxy, proxyTR = "system (off Windows: the environment's HTTPS_PROXY, NO_PROXY)", "system (Windows dışında: ortam değişkenleri HTTPS_PROXY, NO_PROXY)"
	}
	in.Summary = fmt.Sprintf("settings accepted: institution code %s, OGN %s, API %s, viewer %s, proxy %s, timeout %d ms",
		c.cfg.InstitutionCode, c.cfg.OGNURL, c.cfg.APIURL, c.cfg.ViewerURL, proxy, c.cfg.Timeout.Milliseconds())
	in.SummaryTR = fmt.Sprintf("ayarlar geçerli: kurum kodu %s, OGN %s, API %s, görüntüleyici %s, vekil sunucu (proxy) %s, zaman aşımı %d ms",
		c.cfg.InstitutionCode, c.cfg.OGNURL, c.cfg.APIURL, c.cfg.ViewerURL, proxyTR, c.cfg.Timeout.Milliseconds())
	start := time.Now()
	rep := diag.Run(in)
	for _, st := range rep.Steps {
		level := logx.Info
		if !st.OK {
			level = logx.Warn
		}
		logx.New(level, "doctor.step", st.Message).Str("step", st.Step).Str("target", st.Target).
			Bool("ok", st.OK).Int("ms", st.MS).Send()
	}
	logx.New(logx.Info, "doctor.done", "connection check done").Bool("ok", rep.OK).Ms("ms", time.Since(start)).Send()
	return rep
}

// outcome turns a client error into the doctor's terms, secrets scrubbed.
func (c *Client) outcome(err error, secrets ...string) diag.Outcome {
	err = c.scrub(err, secrets...)
	out := diag.Outcome{Code: StatusOf(err).Name(), MessageTR: TurkishMessage(err)}
	if e, ok := err.(*Error); ok {
		out.Message, out.Status, out.ServerError = e.Error(), e.HTTPStatus, e.ServerError
	} else {
		out.Message = "internal error"
	}
	return out
}

func (c *Client) diagCredentials(deadline time.Time) (string, diag.Outcome) {
	start := time.Now()
	tok, lifetime, err := c.fetchToken(serviceKey, deadline)
	if err != nil {
		c.logFetchFailed(serviceKey, err, time.Since(start), "")
		return "", c.outcome(err)
	}
	c.logFetched(serviceKey, tok, lifetime, time.Since(start), "")
	return tok.Value, diag.Outcome{Lifetime: lifetime}
}

func (c *Client) diagAPICall(token string, deadline time.Time) diag.Outcome {
	resp, err := c.send(&request{what: "GET (the API's base URL)", method: fasthttp.MethodGet, url: c.apiBase + "/",
		bearer: token, repeatable: true}, deadline)
	if err != nil {
		return c.outcome(err, token)
	}
	return diag.Outcome{Status: resp.status}
}

// DiagnoseConfig runs the doctor for a config JSON: a report with a failed
// config step when the settings are refused. Used by `teleradyoloji doctor`.
func DiagnoseConfig(configJSON []byte) Report {
	cfg, err := ParseConfig(configJSON)
	if err == nil {
		cfg.Prewarm = false // the doctor opens its own connections, one step at a time
		var c *Client
		if c, err = New(cfg); err == nil {
			defer c.Close()
			return c.Diagnose()
		}
	}
	e, _ := err.(*Error)
	if e == nil {
		e = &Error{Status: Internal, Message: "internal error"}
	}
	return diag.Failed(MaskIdentityNumbers(e.Message), MaskIdentityNumbers(TurkishMessage(e)))
}
