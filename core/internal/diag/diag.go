// Package diag is the connection doctor: it checks step by step what a
// client needs to reach the Ministry (settings, proxy, DNS, TCP, TLS, HTTP,
// clock, OGN credentials, an authenticated API request) and says, in
// English and Turkish, what failed and what to do about it.
package diag

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/teleradyoloji/teleradyoloji/core/internal/jsonx"
	"github.com/teleradyoloji/teleradyoloji/core/internal/mask"
	"github.com/teleradyoloji/teleradyoloji/core/internal/sysproxy"
)

// Step is one check of the report.
type Step struct {
	Step      string `json:"step"`
	Target    string `json:"target,omitempty"`
	OK        bool   `json:"ok"`
	Skipped   bool   `json:"skipped,omitempty"`
	MS        int64  `json:"ms"`
	Message   string `json:"message"`
	MessageTR string `json:"message_tr"`
	Advice    string `json:"advice,omitempty"`
	AdviceTR  string `json:"advice_tr,omitempty"`
}

// Report is the doctor's answer: OK when every step passed.
type Report struct {
	OK    bool   `json:"ok"`
	Steps []Step `json:"steps"`
}

// JSON is the report as trl_diagnose hands it out.
func (r Report) JSON() []byte {
	b, err := jsonx.Marshal(r)
	if err != nil {
		return []byte(`{"ok":false,"steps":[]}`)
	}
	return b
}

// Host is one of the Ministry's services to check.
type Host struct {
	Target string // "ogn", "api" or "viewer"
	Base   string // the configured base URL
}

// Outcome is what a request made through the client (the token request,
// the API call) came to, in the library's own terms.
type Outcome struct {
	Status      int    // HTTP status, 0 without an answer
	ServerError string // OAuth "error" from OGN
	Code        string // the ABI status name: "TRL_E_AUTH", "TRL_E_NETWORK", ...
	Message     string // the library's message, secret-free
	MessageTR   string
	Lifetime    time.Duration // the token's, on success
}

// Input is what the doctor checks, from the client's configuration.
type Input struct {
	Hosts []Host
	// Proxy is the proxy setting ("", "system", "env" or a URL), decided
	// per host as the client does. SystemProxy answers "system": nil is the
	// environment, as off Windows (Run sets sysproxy.Explain on Windows).
	Proxy       string
	SystemProxy func(hostport string) (sysproxy.Choice, error)
	// Roots are the roots the client trusts; CAFileRoots those of ca_file
	// alone (nil without one).
	Roots       *x509.CertPool
	CAFileRoots *x509.CertPool
	// StepTimeout bounds each network step.
	StepTimeout time.Duration
	UserAgent   string
	// Summary describes the accepted settings in both languages.
	Summary, SummaryTR string
	// Credentials asks OGN for a fresh service token; APICall makes a GET of
	// the API's base URL with it.
	Credentials func(deadline time.Time) (token string, out Outcome)
	APICall     func(token string, deadline time.Time) Outcome
	// Secrets never appear in the report.
	Secrets []string
	// Lookup resolves host names (tests may replace it).
	Lookup func(ctx context.Context, host string) ([]net.IPAddr, error)
	// Now is the local clock (tests may replace it).
	Now func() time.Time

	logins *proxyLogins
}

// proxyLogins keeps the doctor from repeating a refused proxy login: the
// hosts' tunnels through a proxy with a user name open one at a time, and
// after a 407 the others do not ask (a proxy that checks Active Directory
// locks the account after a few failures).
type proxyLogins struct {
	mu      sync.Mutex
	refused map[string]string // proxy host:port -> the target it refused
}

// ClockLimit is the clock difference the clock step accepts.
const ClockLimit = 2 * time.Minute

// targetOrder sorts the steps' hosts as the report lists them.
var targetOrder = map[string]int{"ogn": 0, "api": 1, "viewer": 2}

// Run runs every step and reports them in order: config, proxy, dns, tcp,
// tls, http (each per host), clock, credentials, api_call.
func Run(in Input) Report {
	if in.Lookup == nil {
		in.Lookup = net.DefaultResolver.LookupIPAddr
	}
	if in.Now == nil {
		in.Now = time.Now
	}
	in.logins = &proxyLogins{refused: map[string]string{}}
	if in.SystemProxy == nil && runtime.GOOS == "windows" {
		in.SystemProxy = sysproxy.Explain
	}
	steps := []Step{{Step: "config", OK: true, Message: in.Summary, MessageTR: in.SummaryTR}}

	results := make([]*hostResult, len(in.Hosts))
	var wg sync.WaitGroup
	for i, h := range in.Hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = checkHost(&in, h)
		}()
	}
	wg.Wait()
	sort.SliceStable(results, func(i, j int) bool {
		return targetOrder[results[i].host.Target] < targetOrder[results[j].host.Target]
	})
	for _, name := range hostSteps {
		for _, r := range results {
			steps = append(steps, r.steps[name])
		}
	}

	steps = append(steps, checkClock(&in, results))
	cred, token := checkCredentials(&in, results)
	steps = append(steps, cred, checkAPI(&in, results, cred, token))

	rep := Report{OK: true, Steps: steps}
	for i := range rep.Steps {
		st := &rep.Steps[i]
		st.Message, st.MessageTR = clean(st.Message, in.Secrets), clean(st.MessageTR, in.Secrets)
		st.Advice, st.AdviceTR = clean(st.Advice, in.Secrets), clean(st.AdviceTR, in.Secrets)
		rep.OK = rep.OK && st.OK
	}
	return rep
}

// clean keeps secrets and identity numbers out of the report. A secret is
// masked where it stands as a value (a config echo's "password":"…", a form's
// password=…&, a URL's user:…@, a word of its own), never inside a longer
// name: a common-word password must not garble host names. Text from a
// server reaches the report through core's redaction already.
func clean(text string, secrets []string) string {
	for _, s := range secrets {
		if s == "" {
			continue
		}
		var b strings.Builder
		rest := text
		for {
			i := strings.Index(rest, s)
			if i < 0 {
				break
			}
			end := i + len(s)
			done := len(text) - len(rest)
			if valueStart(text, done+i) && valueEnd(text, done+end) {
				b.WriteString(rest[:i] + "***")
			} else {
				b.WriteString(rest[:end])
			}
			rest = rest[end:]
		}
		text = b.String() + rest
	}
	return mask.IdentityNumbers(text)
}

// valueStart: a value may start at i (after = : " ' white space, or at the start).
func valueStart(text string, i int) bool {
	return i == 0 || strings.IndexByte("=:\"' \t\n", text[i-1]) >= 0
}

// valueEnd: a value may end at i (before & @ " ' , ; white space, or the end).
func valueEnd(text string, i int) bool {
	return i == len(text) || strings.IndexByte("&@\"',; \t\r\n", text[i]) >= 0
}

// Failed is a report with only a failed config step: the settings were
// refused, so nothing else can be checked.
func Failed(message, messageTR string) Report {
	return Report{Steps: []Step{{Step: "config", Message: message, MessageTR: messageTR,
		Advice:   "Correct the setting named above and run the check again.",
		AdviceTR: "Yukarıda adı geçen ayarı düzeltip denetimi yeniden çalıştırın."}}}
}

// hostResult holds the network steps of one host and what they learnt.
type hostResult struct {
	host   Host
	steps  map[string]Step
	date   time.Time // the server's Date header, zero without one
	dateAt time.Time // when it arrived, on the local clock
	httpOK bool
}

var hostSteps = []string{"proxy", "dns", "tcp", "tls", "http"}

// skipRest marks the steps after a failed one as skipped.
func (r *hostResult) skipRest(after string) {
	seen := false
	for _, name := range hostSteps {
		if seen {
			r.steps[name] = Step{Step: name, Target: r.host.Target, Skipped: true,
				Message:   fmt.Sprintf("skipped: the %s step failed for this host", after),
				MessageTR: fmt.Sprintf("atlandı: bu sunucu için %s adımı başarısız oldu", stepNameTR[after])}
		}
		seen = seen || name == after
	}
}

var stepNameTR = map[string]string{"proxy": "vekil sunucu (proxy)", "dns": "DNS", "tcp": "TCP bağlantısı",
	"tls": "TLS", "http": "HTTP erişimi", "credentials": "OGN giriş bilgileri"}

// timed runs f and fills the step's duration.
func timed(st *Step, f func()) {
	start := time.Now()
	f()
	st.MS = time.Since(start).Milliseconds()
}

// deadline is the end of a step started now.
func (in *Input) deadline() time.Time { return time.Now().Add(in.StepTimeout) }

func seconds(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.0f s", d.Seconds())
}

func secondsTR(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.0f saniye", d.Seconds())
}

// tlsConfig is the client's TLS setting for host.
func (in *Input) tlsConfig(host string) *tls.Config {
	return &tls.Config{ServerName: host, RootCAs: in.Roots, MinVersion: tls.VersionTLS12}
}
