package core

import (
	"bytes"
	"fmt"
	"net"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/teleradyoloji/teleradyoloji/core/internal/jsonx"
)

// The guide's defaults.
const (
	DefaultClientID  = "ogn.sbys.api"
	DefaultGrantType = "client_sbys"
	DefaultOGNURL    = "https://ogn.saglik.gov.tr"
	DefaultAPIURL    = "https://app.teletip.saglik.gov.tr/integrationapi"
	DefaultViewerURL = "https://teleradyoloji.saglik.gov.tr/viewer/"
)

// Config holds a client's settings; the json names are the ABI's config keys.
type Config struct {
	InstitutionCode      string // the guide's UserName: the institution's ÇKYS code
	Password             string // the institution's e-Nabız password
	ApplicationCode      string // the guide's ApplicationCode: the HIS vendor's code
	ClientID             string
	GrantType            string
	OGNURL               string
	APIURL               string
	ViewerURL            string
	Timeout              time.Duration // bounds a whole call, retries included
	Retries              int           // extra attempts after network errors, 5xx, 429
	Proxy                string        // "", "system", "env", http://[user:pass@]host:port, socks5://host:port
	CAFile               string        // extra PEM roots
	TokenRefreshMargin   time.Duration
	DefaultTokenLifetime time.Duration
	ViewerTokenCacheSize int
	MaxResponseBytes     int
	UserAgent            string
	IdleTimeout          time.Duration // how long an unused connection is kept
	Prewarm              bool          // connect to OGN and the API at New, in the background
}

// MaxResponseBytesLimit caps max_response_bytes: fasthttp allocates a
// body's whole Content-Length before it arrives, and a 32-bit host (2 GiB of
// address space, fragmented) must survive that allocation.
const MaxResponseBytesLimit = 64 << 20

// ViewerTokenCacheSizeLimit caps viewer_token_cache_size: each entry keeps a
// token of a few KiB, so 100,000 entries stay in the hundreds of MiB that a
// 32-bit host can spare (a million could take 2 GiB, the whole address space).
const ViewerTokenCacheSizeLimit = 100_000

// DefaultConfig is a Config with every default of the guide and the ABI.
func DefaultConfig() Config {
	return Config{
		ClientID:             DefaultClientID,
		GrantType:            DefaultGrantType,
		OGNURL:               DefaultOGNURL,
		APIURL:               DefaultAPIURL,
		ViewerURL:            DefaultViewerURL,
		Timeout:              30 * time.Second,
		Retries:              2,
		TokenRefreshMargin:   60 * time.Second,
		DefaultTokenLifetime: 300 * time.Second,
		ViewerTokenCacheSize: 1024,
		MaxResponseBytes:     4 << 20,
		UserAgent:            "teleradyoloji/" + Version,
		IdleTimeout:          90 * time.Second,
		Prewarm:              true,
		Proxy:                DefaultProxy,
	}
}

// DefaultProxy is "system" on Windows (the user's Internet Options /
// WinHTTP settings, what browsers and .NET use) and "" (direct) elsewhere.
var DefaultProxy = map[bool]string{true: "system", false: ""}[runtime.GOOS == "windows"]

// configKey describes one config JSON key: how to store its value.
type configKey struct {
	set func(c *Config, raw jsonx.RawMessage) error
}

func stringKey(field func(*Config) *string) configKey {
	return configKey{func(c *Config, raw jsonx.RawMessage) error {
		var s string
		if err := jsonx.Unmarshal(raw, &s); err != nil {
			return problem("must be a string", "metin olmalı")
		}
		*field(c) = s
		return nil
	}}
}

func intKey(min, max int64, store func(*Config, int64)) configKey {
	return configKey{func(c *Config, raw jsonx.RawMessage) error {
		var n int64
		if err := jsonx.Unmarshal(raw, &n); err != nil {
			return problem("must be a whole number", "tam sayı olmalı")
		}
		if n < min || n > max {
			return problem(fmt.Sprintf("must be between %d and %d", min, max), fmt.Sprintf("%d ile %d arasında olmalı", min, max))
		}
		store(c, n)
		return nil
	}}
}

func boolKey(field func(*Config) *bool) configKey {
	return configKey{func(c *Config, raw jsonx.RawMessage) error {
		var b bool
		if err := jsonx.Unmarshal(raw, &b); err != nil {
			return problem("must be true or false", "true veya false olmalı")
		}
		*field(c) = b
		return nil
	}}
}

func seconds(n int64) time.Duration { return time.Duration(n) * time.Second }

var configKeys = map[string]configKey{
	"institution_code": stringKey(func(c *Config) *string { return &c.InstitutionCode }),
	"password":         stringKey(func(c *Config) *string { return &c.Password }),
	"application_code": stringKey(func(c *Config) *string { return &c.ApplicationCode }),
	"client_id":        stringKey(func(c *Config) *string { return &c.ClientID }),
	"grant_type":       stringKey(func(c *Config) *string { return &c.GrantType }),
	"ogn_url":          stringKey(func(c *Config) *string { return &c.OGNURL }),
	"api_url":          stringKey(func(c *Config) *string { return &c.APIURL }),
	"viewer_url":       stringKey(func(c *Config) *string { return &c.ViewerURL }),
	"proxy":            stringKey(func(c *Config) *string { return &c.Proxy }),
	"ca_file":          stringKey(func(c *Config) *string { return &c.CAFile }),
	"user_agent":       stringKey(func(c *Config) *string { return &c.UserAgent }),
	"timeout_ms": intKey(1, 3_600_000, func(c *Config, n int64) {
		c.Timeout = time.Duration(n) * time.Millisecond
	}),
	"retries":                  intKey(0, 10, func(c *Config, n int64) { c.Retries = int(n) }),
	"token_refresh_margin_s":   intKey(0, 86400, func(c *Config, n int64) { c.TokenRefreshMargin = seconds(n) }),
	"default_token_lifetime_s": intKey(1, 86400, func(c *Config, n int64) { c.DefaultTokenLifetime = seconds(n) }),
	"viewer_token_cache_size":  intKey(1, ViewerTokenCacheSizeLimit, func(c *Config, n int64) { c.ViewerTokenCacheSize = int(n) }),
	"idle_timeout_s":           intKey(1, 3600, func(c *Config, n int64) { c.IdleTimeout = seconds(n) }),
	"prewarm":                  boolKey(func(c *Config) *bool { return &c.Prewarm }),
	"max_response_bytes":       intKey(1024, MaxResponseBytesLimit, func(c *Config, n int64) { c.MaxResponseBytes = int(n) }),
}

// ConfigKeys lists the accepted config JSON keys, sorted.
func ConfigKeys() []string {
	keys := make([]string, 0, len(configKeys))
	for k := range configKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ParseConfig reads a config JSON object over the defaults and validates it.
// Unknown keys are errors so that typos surface. Messages never hold values.
func ParseConfig(data []byte) (Config, error) {
	cfg := DefaultConfig()
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' || !jsonx.Valid(trimmed) {
		return cfg, errorfTR(ConfigError, "Ayarlar geçerli bir JSON nesnesi (UTF-8) değil.", "config: not a JSON object in UTF-8")
	}
	var raw map[string]jsonx.RawMessage
	if err := jsonx.Unmarshal(trimmed, &raw); err != nil {
		return cfg, errorfTR(ConfigError, "Ayarlar geçerli bir JSON nesnesi değil.", "config: not a JSON object")
	}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names)
	var password string // masked in a key echoed back, should one hold it
	if jsonx.Unmarshal(raw["password"], &password) != nil || len(password) < 4 {
		password = ""
	}
	for _, name := range names {
		key, ok := configKeys[name]
		if !ok {
			e := errorf(ConfigError, "config: unknown key %q (known keys: %s)", redact(name, 40, password), strings.Join(ConfigKeys(), ", "))
			e.MessageTR = fmt.Sprintf("Ayarlarda bilinmeyen bir anahtar var: %q (yazım hatası olabilir).", redact(name, 40, password))
			return cfg, e
		}
		if string(raw[name]) == "null" {
			continue
		}
		if err := key.set(&cfg, raw[name]); err != nil {
			return cfg, errorfTR(ConfigError, fmt.Sprintf("Ayarlardaki %q değeri geçersiz: %s.", name, turkishOf(err)), "config: %q %v", name, err)
		}
	}
	return cfg, cfg.Validate()
}

// Validate checks required settings and URLs, and normalises the URLs.
func (c *Config) Validate() error {
	for _, req := range []struct{ key, val string }{
		{"institution_code", c.InstitutionCode},
		{"password", c.Password},
		{"application_code", c.ApplicationCode},
		{"client_id", c.ClientID},
		{"grant_type", c.GrantType},
	} {
		if strings.TrimSpace(req.val) == "" {
			return errorfTR(ConfigError, fmt.Sprintf("Ayarlarda %s boş: doldurulması zorunlu.", requiredTR[req.key]), "config: %q is required", req.key)
		}
	}
	for _, u := range []struct {
		key string
		val *string
	}{{"ogn_url", &c.OGNURL}, {"api_url", &c.APIURL}, {"viewer_url", &c.ViewerURL}} {
		norm, err := checkBaseURL(*u.val)
		if err != nil {
			return errorfTR(ConfigError, fmt.Sprintf("Ayarlardaki %q adresi geçersiz: %s.", u.key, turkishOf(err)), "config: %q %v", u.key, err)
		}
		*u.val = norm
	}
	if err := checkProxy(c.Proxy); err != nil {
		return errorfTR(ConfigError, fmt.Sprintf("Vekil sunucu (proxy) ayarı geçersiz: %s.", turkishOf(err)), "config: \"proxy\" %v", err)
	}
	if c.Timeout <= 0 || c.IdleTimeout <= 0 || c.Retries < 0 || c.ViewerTokenCacheSize < 1 || c.MaxResponseBytes < 1024 || c.MaxResponseBytes > MaxResponseBytesLimit {
		return errorfTR(ConfigError, "Ayarlardaki sayısal bir değer izin verilen aralığın dışında.", "config: a numeric setting is out of range")
	}
	if strings.ContainsAny(c.UserAgent, "\r\n") {
		return errorfTR(ConfigError, "Ayarlardaki \"user_agent\" tek satır olmalı.", "config: \"user_agent\" must be one line")
	}
	return nil
}

// checkBaseURL accepts https:// anywhere and http:// only to loopback, with no
// credentials, query or fragment; it returns the URL without trailing slashes.
func checkBaseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", problem("must be an absolute http(s) URL", "https:// ile başlayan tam bir adres olmalı")
	}
	switch {
	case u.User != nil:
		return "", problem("must not carry credentials", "kullanıcı adı veya şifre içermemeli")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#"):
		return "", problem("must not have a query or fragment", "'?' veya '#' ile başlayan ek içermemeli")
	case u.Scheme == "https":
	case u.Scheme == "http":
		if !isLoopback(u.Hostname()) {
			return "", problem("uses http:// to a non-loopback host; use https:// (the password must not cross a network in clear text)",
				"http:// yalnızca bu bilgisayar (localhost) için kullanılabilir, https:// kullanın (şifre ağda açık gitmemeli)")
		}
	default:
		return "", problem("must start with https:// (or http:// to loopback)", "https:// ile başlamalı")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkProxy(p string) error {
	if p == "" || p == "env" || p == "system" {
		return nil
	}
	u, err := url.Parse(p)
	if strings.Contains(p, "@") && (err != nil || u.Host == "" || u.Fragment != "" || u.RawQuery != "" || strings.Trim(u.Path, "/") != "") {
		// Typed as is, @ : # % / ? in a password cut the URL elsewhere.
		return problem("the user name and password in the proxy URL must be percent-encoded (@ as %40, : as %3A, # as %23, % as %25, / as %2F, ? as %3F)",
			"vekil sunucu adresindeki kullanıcı adı ve şifre yüzde kodlamasıyla yazılmalı (@ yerine %40, : yerine %3A, # yerine %23, % yerine %25, / yerine %2F, ? yerine %3F)")
	}
	if err != nil || u.Host == "" {
		return problem("must be \"system\", \"env\" or a URL such as http://host:port or socks5://host:port",
			"\"system\", \"env\" ya da http://sunucu:port veya socks5://sunucu:port biçiminde olmalı")
	}
	switch u.Scheme {
	case "http", "socks5", "socks5h":
		return nil
	case "https":
		// TLS to the proxy itself is not supported; the tunnel through an
		// http:// proxy is TLS end to end to the Ministry anyway.
		return problem("https:// proxies are not supported: use http://host:port (the tunnel inside is TLS)",
			"https:// vekil sunucular desteklenmiyor, http://sunucu:port kullanın (içindeki bağlantı yine şifreli)")
	}
	return problem("scheme must be http or socks5", "http:// veya socks5:// ile başlamalı")
}

// configProblem is what is wrong with one setting, in English and Turkish.
type configProblem struct{ en, tr string }

func (p *configProblem) Error() string { return p.en }

func problem(en, tr string) error { return &configProblem{en, tr} }

// turkishOf is the Turkish text of a configProblem.
func turkishOf(err error) string {
	if p, ok := err.(*configProblem); ok {
		return p.tr
	}
	return "geçersiz"
}

// requiredTR names the required settings in Turkish.
var requiredTR = map[string]string{
	"institution_code": "kurum kodu (institution_code)",
	"password":         "e-Nabız şifresi (password)",
	"application_code": "HBYS uygulama kodu (application_code)",
	"client_id":        "\"client_id\"",
	"grant_type":       "\"grant_type\"",
}
