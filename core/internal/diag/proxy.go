package diag

import (
	"fmt"
	"net/url"
	"os"

	"github.com/teleradyoloji/teleradyoloji/core/internal/sysproxy"
	"golang.org/x/net/http/httpproxy"
)

// proxyChoice is the proxy the "proxy" setting picks for one host (nil:
// direct), and why, in both languages.
type proxyChoice struct {
	proxy      *url.URL
	why, whyTR string
}

// chooseProxy decides for u as the client's dialer does: "" direct,
// "system" the user's Windows settings (elsewhere the environment), "env"
// the environment, else the proxy URL; loopback never proxied.
func (in *Input) chooseProxy(u *url.URL) (proxyChoice, error) {
	setting := in.Proxy
	switch {
	case setting == "":
		return proxyChoice{why: `"proxy" is not set`, whyTR: `"proxy" ayarı boş`}, nil
	case isLoopback(u.Hostname()):
		return proxyChoice{why: "loopback addresses are never proxied",
			whyTR: "bu bilgisayarın kendi adresleri vekil sunucuya gönderilmez"}, nil
	case setting == "system" && in.SystemProxy != nil:
		return systemChoice(in.SystemProxy, u)
	case setting == "env" || setting == "system":
		c, err := envChoice(u)
		if setting == "system" {
			c.why = `"system" off Windows is the environment: ` + c.why
			c.whyTR = `"system" Windows dışında ortam değişkenleri demek: ` + c.whyTR
		}
		return c, err
	}
	p, err := url.Parse(setting)
	if err != nil {
		return proxyChoice{}, err
	}
	return proxyChoice{proxy: p, why: `the "proxy" setting`, whyTR: `"proxy" ayarı`}, nil
}

// systemChoice: the user's Windows proxy settings, read through WinHTTP.
func systemChoice(system func(string) (sysproxy.Choice, error), u *url.URL) (proxyChoice, error) {
	sc, err := system(hostPort(u))
	const where, whereTR = "this user's Windows proxy settings (Internet Options, WinHTTP)", "bu kullanıcının Windows vekil sunucu ayarları (Internet Seçenekleri, WinHTTP)"
	c := proxyChoice{}
	if sc.Proxy != "" {
		c.proxy = &url.URL{Scheme: "http", Host: sc.Proxy}
	}
	switch sc.Source {
	case sysproxy.Loopback:
		c.why, c.whyTR = "loopback addresses are never proxied", "bu bilgisayarın kendi adresleri vekil sunucuya gönderilmez"
	case sysproxy.Static:
		c.why, c.whyTR = `"system": the proxy server of `+where, `"system": `+whereTR+` içindeki vekil sunucu`
	case sysproxy.Bypassed:
		c.why, c.whyTR = `"system": the bypass list of `+where+" names this host", `"system": `+whereTR+` içindeki muafiyet listesi bu sunucuyu içeriyor`
	case sysproxy.Script:
		script, scriptTR := "the PAC script "+sc.PAC, "PAC betiği "+sc.PAC
		if sc.PAC == "" {
			script, scriptTR = "the PAC script found by automatic detection (WPAD)", "otomatik algılamanın (WPAD) bulduğu PAC betiği"
		}
		c.why = fmt.Sprintf(`"system": %s of %s chose it`, script, where)
		c.whyTR = fmt.Sprintf(`"system": %s (%s) bunu seçti`, scriptTR, whereTR)
	case sysproxy.Unreadable:
		c.why, c.whyTR = `"system": `+where+" cannot be read (as WinHTTP does, direct)", `"system": `+whereTR+" okunamıyor (WinHTTP gibi doğrudan)"
	default:
		c.why, c.whyTR = `"system": `+where+" name no proxy", `"system": `+whereTR+" vekil sunucu içermiyor"
	}
	if err != nil {
		err = nil // unreadable settings mean direct, as the library does
	}
	return c, err
}

// envChoice: HTTPS_PROXY (HTTP_PROXY for http://) and NO_PROXY.
func envChoice(u *url.URL) (proxyChoice, error) {
	env := httpproxy.FromEnvironment()
	p, err := env.ProxyFunc()(u)
	if err != nil {
		return proxyChoice{}, err
	}
	name, set := "HTTP_PROXY", env.HTTPProxy
	if u.Scheme == "https" {
		name, set = "HTTPS_PROXY", env.HTTPSProxy
	}
	if os.Getenv(name) == "" && set != "" {
		name = map[string]string{"HTTP_PROXY": "http_proxy", "HTTPS_PROXY": "https_proxy"}[name]
	}
	switch {
	case p != nil:
		return proxyChoice{proxy: p, why: "the environment's " + name, whyTR: "ortam değişkeni " + name}, nil
	case set != "":
		return proxyChoice{why: "the environment's NO_PROXY names this host", whyTR: "ortam değişkeni NO_PROXY bu sunucuyu içeriyor"}, nil
	}
	return proxyChoice{why: "the environment names no proxy (" + name + " is not set)",
		whyTR: "ortam değişkenlerinde vekil sunucu yok (" + name + " tanımsız)"}, nil
}

// hostPort is u's host:port, the scheme's port when none is given.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "http" {
		return u.Host + ":80"
	}
	return u.Host + ":443"
}
