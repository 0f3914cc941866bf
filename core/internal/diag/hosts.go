package diag

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/net/proxy"
)

// checkHost runs the proxy, dns, tcp, tls and http steps for one host.
func checkHost(in *Input, h Host) *hostResult {
	r := &hostResult{host: h, steps: map[string]Step{}}
	u, err := url.Parse(h.Base)
	if err != nil || u.Host == "" {
		r.steps["proxy"] = Step{Step: "proxy", Target: h.Target, Message: "the URL cannot be read", MessageTR: "adres okunamıyor"}
		r.skipRest("proxy")
		return r
	}
	c := &hostCheck{in: in, r: r, u: u, host: u.Hostname(), https: u.Scheme == "https"}
	c.port = u.Port()
	if c.port == "" {
		c.port = map[bool]string{true: "443", false: "80"}[c.https]
	}
	c.addr = net.JoinHostPort(c.host, c.port)
	for _, step := range []struct {
		name string
		run  func(*Step) bool
	}{{"proxy", c.proxyStep}, {"dns", c.dnsStep}, {"tcp", c.tcpStep}, {"tls", c.tlsStep}, {"http", c.httpStep}} {
		st := Step{Step: step.name, Target: h.Target}
		var ok bool
		timed(&st, func() { ok = step.run(&st) })
		st.OK = ok
		r.steps[step.name] = st
		if !ok {
			r.skipRest(step.name)
			break
		}
	}
	if c.conn != nil {
		c.conn.Close()
	}
	return r
}

// hostCheck carries one host's checks from step to step.
type hostCheck struct {
	in    *Input
	r     *hostResult
	u     *url.URL
	host  string // the Ministry host's name (or IP)
	port  string
	addr  string // host:port
	https bool
	proxy *url.URL // nil: direct
	ips   []net.IP // the addresses to connect to: the host's, or the proxy's
	conn  net.Conn // the connection, TLS done, for the http step
}

func (c *hostCheck) proxyAddr() string {
	port := c.proxy.Port()
	if port == "" {
		port = map[string]string{"http": "80", "socks5": "1080", "socks5h": "1080"}[c.proxy.Scheme]
	}
	return net.JoinHostPort(c.proxy.Hostname(), port)
}

func (c *hostCheck) proxyStep(st *Step) bool {
	choice, err := c.in.chooseProxy(c.u)
	if err != nil {
		st.Message, st.MessageTR = "the proxy setting cannot be used", "vekil sunucu (proxy) ayarı kullanılamıyor"
		adviceProxySetting.set(st)
		return false
	}
	c.proxy = choice.proxy
	if p := choice.proxy; p != nil {
		shown := displayURL(p.Scheme + "://" + p.Host)
		st.Message = fmt.Sprintf("%s is reached through the proxy %s (%s)", c.addr, shown, choice.why)
		st.MessageTR = fmt.Sprintf("%s adresine %s vekil sunucusu (proxy) üzerinden gidilir (%s)", c.addr, shown, choice.whyTR)
		return true
	}
	st.Message = fmt.Sprintf("%s is reached directly, without a proxy (%s)", c.addr, choice.why)
	st.MessageTR = fmt.Sprintf("%s adresine vekil sunucu (proxy) olmadan doğrudan gidilir (%s)", c.addr, choice.whyTR)
	return true
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c *hostCheck) dnsStep(st *Step) bool {
	name := c.host
	if c.proxy != nil {
		name = c.proxy.Hostname()
	}
	if ip := net.ParseIP(name); ip != nil {
		c.ips = []net.IP{ip}
		st.Message = fmt.Sprintf("%s is an IP address: nothing to look up", name)
		st.MessageTR = fmt.Sprintf("%s bir IP adresi: çözülecek ad yok", name)
		return true
	}
	ctx, cancel := context.WithDeadline(context.Background(), c.in.deadline())
	defer cancel()
	addrs, err := c.in.Lookup(ctx, name)
	if err == nil && len(addrs) == 0 {
		err = &net.DNSError{Err: "no address", Name: name}
	}
	if err != nil {
		why := "not found"
		if ctx.Err() != nil {
			why = "no answer from the DNS server within " + seconds(c.in.StepTimeout)
		}
		st.Message = fmt.Sprintf("%s cannot be resolved: %s", name, why)
		st.MessageTR = fmt.Sprintf("%s adı çözülemedi (DNS)", name)
		adviceDNS(name, c.proxy != nil).plus(c.proxyHint()).set(st)
		return false
	}
	var shown []string
	for _, a := range addrs {
		c.ips = append(c.ips, a.IP)
		if len(shown) < 4 {
			shown = append(shown, a.IP.String())
		}
	}
	st.Message = fmt.Sprintf("%s: %d address(es) (%s)", name, len(addrs), strings.Join(shown, ", "))
	st.MessageTR = fmt.Sprintf("%s adı çözüldü: %d adres (%s)", name, len(addrs), strings.Join(shown, ", "))
	return true
}

// proxyHint is the "a proxy seems required" hint for direct connections.
func (c *hostCheck) proxyHint() advice {
	if c.proxy != nil {
		return advice{}
	}
	return adviceProxyRequired(c.in.Proxy)
}

func (c *hostCheck) tcpStep(st *Step) bool {
	port := c.port
	target := c.addr
	if c.proxy != nil {
		_, port, _ = net.SplitHostPort(c.proxyAddr())
		target = c.proxyAddr()
	}
	deadline := c.in.deadline()
	conn, err := c.dialIPs(port, deadline)
	if err != nil {
		c.tcpFailed(st, target, err)
		return false
	}
	if c.proxy == nil {
		c.conn = conn
		st.Message = fmt.Sprintf("connected to %s (%s)", c.addr, conn.RemoteAddr())
		st.MessageTR = fmt.Sprintf("%s adresine bağlanıldı (%s)", c.addr, conn.RemoteAddr())
		return true
	}
	proxyShown := displayURL(c.proxy.Scheme + "://" + c.proxy.Host)
	if c.proxy.User != nil {
		logins := c.in.logins
		logins.mu.Lock()
		defer logins.mu.Unlock()
		if other, refused := logins.refused[c.proxy.Host]; refused {
			conn.Close()
			st.Message = fmt.Sprintf("not asked: the proxy %s refused the user name or password of \"proxy\" for %s; asking again could lock the account", proxyShown, other)
			st.MessageTR = fmt.Sprintf("sorulmadı: %s vekil sunucusu \"proxy\" ayarındaki kullanıcı adını veya şifreyi %s için kabul etmedi; yeniden sormak hesabı kilitleyebilir", proxyShown, other)
			adviceProxyLogin(c.proxy.Host, true).set(st)
			return false
		}
	}
	tunnel, status, err := c.openTunnel(conn, deadline)
	if status == 407 && c.proxy.User != nil {
		c.in.logins.refused[c.proxy.Host] = c.addr
	}
	if err != nil {
		conn.Close()
		switch {
		case status == 407 && c.proxy.User != nil:
			st.Message = fmt.Sprintf("the proxy %s refused the user name or password given in \"proxy\" (HTTP 407)", proxyShown)
			st.MessageTR = fmt.Sprintf("%s vekil sunucusu \"proxy\" ayarındaki kullanıcı adını veya şifreyi kabul etmedi (HTTP 407)", proxyShown)
			adviceProxyLogin(c.proxy.Host, true).set(st)
		case status == 407:
			st.Message = fmt.Sprintf("the proxy %s wants a user name and password (HTTP 407)", proxyShown)
			st.MessageTR = fmt.Sprintf("%s vekil sunucusu kullanıcı adı ve şifre istiyor (HTTP 407)", proxyShown)
			adviceProxyLogin(c.proxy.Host, false).set(st)
		case status != 0:
			st.Message = fmt.Sprintf("the proxy %s refused to connect to %s (HTTP %d)", proxyShown, c.addr, status)
			st.MessageTR = fmt.Sprintf("%s vekil sunucusu %s adresine bağlanmayı reddetti (HTTP %d)", proxyShown, c.addr, status)
			adviceProxyRefused(c.proxy.Host, c.host, status).set(st)
		default:
			st.Message = fmt.Sprintf("the proxy %s did not open a tunnel to %s: %s", proxyShown, c.addr, errText(err))
			st.MessageTR = fmt.Sprintf("%s vekil sunucusu %s adresine tünel açmadı", proxyShown, c.addr)
			adviceProxyRefused(c.proxy.Host, c.host, 0).set(st)
		}
		return false
	}
	c.conn = tunnel
	st.Message = fmt.Sprintf("connected to the proxy %s; it opened a tunnel to %s", target, c.addr)
	st.MessageTR = fmt.Sprintf("%s vekil sunucusuna bağlanıldı; %s adresine tünel açtı", target, c.addr)
	return true
}

// dialIPs connects to the first of c.ips that answers on port, each
// address given its share of the time left.
func (c *hostCheck) dialIPs(port string, deadline time.Time) (net.Conn, error) {
	var firstErr error
	for i, ip := range c.ips {
		share := time.Until(deadline) / time.Duration(len(c.ips)-i)
		d := net.Dialer{Deadline: time.Now().Add(share)}
		conn, err := d.Dial("tcp", net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

func (c *hostCheck) tcpFailed(st *Step, target string, err error) {
	switch {
	case isTimeout(err):
		st.Message = fmt.Sprintf("no answer from %s within %s", target, seconds(c.in.StepTimeout))
		st.MessageTR = fmt.Sprintf("%s adresinden %s içinde yanıt gelmedi", target, secondsTR(c.in.StepTimeout))
		if c.proxy != nil {
			adviceProxyUnreachable(c.proxy.Host).set(st)
		} else {
			adviceNoAnswer(target, c.host, c.in.StepTimeout).plus(c.proxyHint()).set(st)
		}
	case isReset(err) && c.proxy == nil:
		st.Message = fmt.Sprintf("%s reset the connection as soon as it was opened", target)
		st.MessageTR = fmt.Sprintf("%s bağlantıyı açılır açılmaz kesti (reset)", target)
		adviceIP("connection reset", "bağlantı kesildi").set(st)
	case isRefused(err):
		st.Message = fmt.Sprintf("%s refused the connection", target)
		st.MessageTR = fmt.Sprintf("%s bağlantıyı reddetti", target)
		if c.proxy != nil {
			adviceProxyUnreachable(c.proxy.Host).set(st)
		} else {
			adviceRefused(target, c.host).plus(c.proxyHint()).set(st)
		}
	default:
		st.Message = fmt.Sprintf("cannot connect to %s: %s", target, errText(err))
		st.MessageTR = fmt.Sprintf("%s adresine bağlanılamadı", target)
		if c.proxy != nil {
			adviceProxyUnreachable(c.proxy.Host).set(st)
		} else {
			adviceRefused(target, c.host).plus(c.proxyHint()).set(st)
		}
	}
}

// openTunnel asks the proxy for a connection to the host: HTTP CONNECT, or
// SOCKS5. status is the proxy's HTTP answer to CONNECT when it refused.
func (c *hostCheck) openTunnel(conn net.Conn, deadline time.Time) (net.Conn, int, error) {
	_ = conn.SetDeadline(deadline)
	defer conn.SetDeadline(time.Time{})
	if strings.HasPrefix(c.proxy.Scheme, "socks5") {
		var auth *proxy.Auth
		if c.proxy.User != nil {
			pw, _ := c.proxy.User.Password()
			auth = &proxy.Auth{User: c.proxy.User.Username(), Password: pw}
		}
		d, err := proxy.SOCKS5("tcp", c.proxyAddr(), auth, connDialer{conn})
		if err != nil {
			return nil, 0, err
		}
		t, err := d.Dial("tcp", c.addr)
		return t, 0, err
	}
	req := "CONNECT " + c.addr + " HTTP/1.1\r\nHost: " + c.addr + "\r\n"
	if c.in.UserAgent != "" {
		req += "User-Agent: " + c.in.UserAgent + "\r\n"
	}
	if c.proxy.User != nil {
		pw, _ := c.proxy.User.Password()
		req += "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(c.proxy.User.Username()+":"+pw)) + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		return nil, 0, err
	}
	br := bufio.NewReader(conn)
	var h fasthttp.ResponseHeader
	h.SetNoDefaultContentType(true)
	if err := h.Read(br); err != nil {
		return nil, 0, err
	}
	if h.StatusCode() != 200 {
		return nil, h.StatusCode(), fmt.Errorf("HTTP %d", h.StatusCode())
	}
	if br.Buffered() > 0 {
		return nil, 0, errors.New("the proxy sent data before the tunnel was used")
	}
	return conn, 0, nil
}

// connDialer hands an open connection to the SOCKS5 dialer.
type connDialer struct{ c net.Conn }

func (d connDialer) Dial(network, addr string) (net.Conn, error) { return d.c, nil }

func (c *hostCheck) tlsStep(st *Step) bool {
	if !c.https {
		st.Message = "plain HTTP (accepted only on this computer's own addresses): no TLS"
		st.MessageTR = "şifresiz HTTP (yalnızca bu bilgisayarın kendi adreslerinde kabul edilir): TLS yok"
		return true
	}
	deadline := c.in.deadline()
	tc := tls.Client(c.conn, c.in.tlsConfig(c.host))
	_ = c.conn.SetDeadline(deadline)
	err := tc.Handshake()
	_ = c.conn.SetDeadline(time.Time{})
	if err != nil {
		c.tlsFailed(st, err)
		return false
	}
	c.conn = tc
	cs := tc.ConnectionState()
	leaf := cs.PeerCertificates[0]
	issuer := issuerName(leaf.Issuer.CommonName, leaf.Issuer.Organization)
	st.Message = fmt.Sprintf("%s, certificate for %s issued by %q, trusted", tls.VersionName(cs.Version), c.host, issuer)
	st.MessageTR = fmt.Sprintf("%s, %s sertifikasını %q vermiş, güvenilir", tls.VersionName(cs.Version), c.host, issuer)
	if vendor := inspectionVendor(leaf.Issuer.CommonName, leaf.Issuer.Organization); vendor != "" {
		adviceInspectedTrusted(issuer, "the name of a TLS-inspecting product ("+vendor+")",
			"TLS denetimi yapan bir ürünün adı ("+vendor+")").set(st)
	} else if c.in.CAFileRoots != nil && c.verifiesWith(cs, c.in.CAFileRoots) {
		adviceInspectedTrusted(issuer, "trusted only through \"ca_file\", not through a public certificate authority",
			"yalnızca \"ca_file\" ayarıyla güveniliyor, herkese açık bir sertifika kuruluşuyla değil").set(st)
	}
	return true
}

// verifiesWith reports whether the peer's chain verifies against roots.
func (c *hostCheck) verifiesWith(cs tls.ConnectionState, roots *x509.CertPool) bool {
	inter := x509.NewCertPool()
	for _, cert := range cs.PeerCertificates[1:] {
		inter.AddCert(cert)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: c.host})
	return err == nil
}

func (c *hostCheck) tlsFailed(st *Step, err error) {
	var ua x509.UnknownAuthorityError
	var host x509.HostnameError
	var inv x509.CertificateInvalidError
	var cv *tls.CertificateVerificationError
	var rec tls.RecordHeaderError
	switch {
	case errors.As(err, &ua) || errors.As(err, &cv) && !errors.As(err, &host) && !errors.As(err, &inv):
		issuer := "an unknown issuer"
		if errors.As(err, &cv) && len(cv.UnverifiedCertificates) > 0 {
			leaf := cv.UnverifiedCertificates[0]
			issuer = issuerName(leaf.Issuer.CommonName, leaf.Issuer.Organization)
		} else if ua.Cert != nil {
			issuer = issuerName(ua.Cert.Issuer.CommonName, ua.Cert.Issuer.Organization)
		}
		st.Message = fmt.Sprintf("the certificate of %s was issued by %q, which this computer does not trust: probably TLS inspection", c.host, issuer)
		st.MessageTR = fmt.Sprintf("%s sertifikasını %q vermiş ve bu bilgisayar ona güvenmiyor: büyük olasılıkla TLS denetimi", c.host, issuer)
		if via := c.probeVia(); via != "" {
			st.Message += fmt.Sprintf(" by %s (named by the answers' Via header)", via)
			st.MessageTR += fmt.Sprintf("; denetleyen: %s (yanıtların Via başlığına göre)", via)
		}
		adviceInspection(c.host, issuer).set(st)
	case errors.As(err, &host):
		st.Message = fmt.Sprintf("the certificate presented is not for %s", c.host)
		st.MessageTR = fmt.Sprintf("sunulan sertifika %s adına değil", c.host)
		adviceTLSName(c.host).set(st)
	case errors.As(err, &inv) && inv.Reason == x509.Expired:
		st.Message = "the certificate is expired or not yet valid by this computer's clock"
		st.MessageTR = "sertifika bu bilgisayarın saatine göre süresi dolmuş ya da henüz geçerli değil"
		adviceTLSTime.set(st)
	case errors.As(err, &rec):
		st.Message = fmt.Sprintf("%s does not speak TLS", c.addr)
		st.MessageTR = fmt.Sprintf("%s TLS konuşmuyor", c.addr)
		advicePlainHTTP(c.addr).set(st)
	case isReset(err):
		st.Message = fmt.Sprintf("the connection to %s was reset or closed during the TLS handshake", c.addr)
		st.MessageTR = fmt.Sprintf("%s ile bağlantı TLS el sıkışması sırasında kesildi", c.addr)
		adviceIP("connection reset during the TLS handshake", "bağlantı TLS el sıkışması sırasında kesildi").set(st)
	case isTimeout(err):
		st.Message = fmt.Sprintf("no TLS answer from %s within %s", c.addr, seconds(c.in.StepTimeout))
		st.MessageTR = fmt.Sprintf("%s adresinden %s içinde TLS yanıtı gelmedi", c.addr, secondsTR(c.in.StepTimeout))
		adviceTLSNoAnswer(c.addr, c.in.StepTimeout).set(st)
	default:
		st.Message = fmt.Sprintf("TLS handshake with %s failed: %s", c.addr, errText(err))
		st.MessageTR = fmt.Sprintf("%s ile TLS el sıkışması başarısız oldu", c.addr)
		adviceInspection(c.host, "?").set(st)
	}
}

// maxProbeBody bounds what is read of a reachability answer's body.
const maxProbeBody = 16 << 10

// get sends a GET of the base URL on conn (Connection: close) and reads
// the answer's header.
func (c *hostCheck) get(conn net.Conn, deadline time.Time) (path string, h *fasthttp.ResponseHeader, br *bufio.Reader, err error) {
	path = c.u.EscapedPath()
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	req := "GET " + path + " HTTP/1.1\r\nHost: " + c.u.Host + "\r\nAccept: */*\r\nConnection: close\r\n"
	if c.in.UserAgent != "" {
		req += "User-Agent: " + c.in.UserAgent + "\r\n"
	}
	_ = conn.SetDeadline(deadline)
	h = &fasthttp.ResponseHeader{}
	h.SetNoDefaultContentType(true)
	br = bufio.NewReader(conn)
	if _, err = io.WriteString(conn, req+"\r\n"); err == nil {
		err = h.Read(br)
	}
	return path, h, br, err
}

// probeVia names the TLS-inspecting proxy from an answer's Via header
// (squid adds one), or "". The certificate is not trusted, so it opens a
// connection of its own that does not check it: nothing secret goes on
// it, only a GET of the base URL.
func (c *hostCheck) probeVia() string {
	deadline := c.in.deadline()
	port := c.port
	if c.proxy != nil {
		_, port, _ = net.SplitHostPort(c.proxyAddr())
	}
	conn, err := c.dialIPs(port, deadline)
	if err != nil {
		return ""
	}
	defer conn.Close()
	if c.proxy != nil {
		if conn, _, err = c.openTunnel(conn, deadline); err != nil {
			return ""
		}
	}
	tc := tls.Client(conn, &tls.Config{ServerName: c.host, InsecureSkipVerify: true}) // only to read a header
	_ = conn.SetDeadline(deadline)
	if tc.Handshake() != nil {
		return ""
	}
	_, h, _, err := c.get(tc, deadline)
	if err != nil {
		return ""
	}
	return viaProducts(string(h.Peek("Via")))
}

// viaProducts names the proxies of a Via header ("1.1 gw (squid/5.7)"):
// each one's comment (its product), else its name.
func viaProducts(via string) string {
	var names []string
	for _, hop := range strings.Split(via, ",") {
		hop = strings.TrimSpace(hop)
		name := hop
		if i, j := strings.Index(hop, "("), strings.LastIndex(hop, ")"); i >= 0 && j > i {
			name = hop[i+1 : j]
		} else if f := strings.Fields(hop); len(f) > 1 {
			name = f[1]
		}
		if name != "" {
			names = append(names, name)
		}
	}
	out := strings.Join(names, ", ")
	if len(out) > 100 {
		out = out[:100] + "…"
	}
	return out
}

func (c *hostCheck) httpStep(st *Step) bool {
	path, h, br, err := c.get(c.conn, c.in.deadline())
	if err != nil {
		switch {
		case isTimeout(err):
			st.Message = fmt.Sprintf("no HTTP answer from %s within %s", c.u.Host, seconds(c.in.StepTimeout))
			st.MessageTR = fmt.Sprintf("%s adresinden %s içinde HTTP yanıtı gelmedi", c.u.Host, secondsTR(c.in.StepTimeout))
			adviceHTTPNoAnswer(c.u.Host, c.in.StepTimeout).set(st)
		default:
			st.Message = fmt.Sprintf("%s closed or reset the connection without an HTTP answer", c.u.Host)
			st.MessageTR = fmt.Sprintf("%s bağlantıyı HTTP yanıtı vermeden kapattı", c.u.Host)
			adviceIP("the connection was closed without an answer", "bağlantı yanıt verilmeden kapatıldı").set(st)
		}
		return false
	}
	c.r.dateAt = c.in.Now()
	if d := string(h.Peek("Date")); d != "" {
		if t, err := time.Parse(time.RFC1123, d); err == nil {
			c.r.date = t
		}
	}
	status := h.StatusCode()
	body, _ := io.ReadAll(io.LimitReader(br, maxProbeBody))
	html := strings.Contains(strings.ToLower(string(h.ContentType())), "html") || strings.HasPrefix(strings.TrimSpace(string(body)), "<")
	mentionsIP := html && strings.Contains(string(body), "IP")
	switch {
	case status == 403:
		page, pageTR := "", ""
		if mentionsIP {
			page, pageTR = ", with a page that mentions the IP address", "; gelen sayfa IP adresinden söz ediyor"
		}
		st.Message = fmt.Sprintf("GET %s: HTTP 403 Forbidden%s", path, page)
		st.MessageTR = fmt.Sprintf("GET %s: HTTP 403 (erişim yasak)%s", path, pageTR)
		adviceIP("HTTP 403 Forbidden", "HTTP 403, erişim yasak").set(st)
		return false
	case status == 407:
		st.Message = fmt.Sprintf("GET %s: HTTP 407: a proxy in between wants a user name and password", path)
		st.MessageTR = fmt.Sprintf("GET %s: HTTP 407: aradaki bir vekil sunucu kullanıcı adı ve şifre istiyor", path)
		adviceProxyLogin("proxy:port", false).set(st)
		return false
	case status >= 500:
		st.Message = fmt.Sprintf("GET %s: HTTP %d", path, status)
		st.MessageTR = fmt.Sprintf("GET %s: HTTP %d", path, status)
		adviceServer(status).set(st)
		return false
	}
	c.r.httpOK = true
	st.Message = fmt.Sprintf("GET %s: HTTP %d: the server answers", path, status)
	st.MessageTR = fmt.Sprintf("GET %s: HTTP %d: sunucu yanıt veriyor", path, status)
	if via := viaProducts(string(h.Peek("Via"))); via != "" {
		st.Message += fmt.Sprintf(", through %s (its Via header)", via)
		st.MessageTR += fmt.Sprintf(", araya giren: %s (Via başlığı)", via)
		if tlsStep := c.r.steps["tls"]; tlsStep.Advice != "" {
			// The certificate is an inspecting device's: name it.
			tlsStep.Message += fmt.Sprintf("; the answers come through %s (Via header)", via)
			tlsStep.MessageTR += fmt.Sprintf("; yanıtlar %s üzerinden geliyor (Via başlığı)", via)
			c.r.steps["tls"] = tlsStep
		}
	}
	return true
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

func isRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || err != nil && strings.Contains(strings.ToLower(err.Error()), "refused")
}

func isReset(err error) bool {
	if err == nil {
		return false
	}
	text := strings.ToLower(err.Error())
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(text, "reset") || strings.Contains(text, "forcibly closed")
}

// errText is an error in a few words (no secret reaches here: the report is
// cleaned of the client's secrets anyway).
func errText(err error) string {
	if err == nil {
		return "unknown error"
	}
	text := err.Error()
	if len(text) > 160 {
		text = text[:160] + "…"
	}
	return text
}

// issuerName is a certificate issuer as a person reads it: "CN (O)".
func issuerName(cn string, org []string) string {
	switch {
	case len(org) == 0 && cn == "":
		return "(no name)"
	case len(org) == 0:
		return cn
	case cn == "":
		return org[0]
	}
	return cn + " (" + org[0] + ")"
}

// inspectionVendors are names found in the issuers of TLS-inspecting
// firewalls, proxies and antivirus products.
var inspectionVendors = []string{"Fortinet", "FortiGate", "Sophos", "Palo Alto", "Zscaler", "Kaspersky", "ESET",
	"Avast", "AVG", "Bitdefender", "Cisco Umbrella", "Blue Coat", "BlueCoat", "Forcepoint", "Websense",
	"Check Point", "Barracuda", "WatchGuard", "McAfee Web Gateway", "Netskope", "Trend Micro", "Untangle",
	"SonicWall", "Cyberoam", "Symantec Web", "Smoothwall", "Securly", "NetSpark", "Lightspeed", "Dr.Web",
	"Norton", "Deep Packet", "SSL Inspection", "SSL Denetim", "TLS Inspection", "Inspection CA"}

// inspectionVendor names the inspecting product an issuer reveals, if any.
func inspectionVendor(cn string, org []string) string {
	names := strings.ToLower(cn + " " + strings.Join(org, " "))
	for _, v := range inspectionVendors {
		if strings.Contains(names, strings.ToLower(v)) {
			return v
		}
	}
	return ""
}
