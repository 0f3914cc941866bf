package diag

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// The advice of the report, in English and Turkish: what a person at the
// hospital (or the HIS vendor's support on the phone) should do next. Each
// names the host it is about; none holds a secret.

type advice struct{ en, tr string }

func (a advice) plus(b advice) advice {
	if b.en == "" {
		return a
	}
	return advice{a.en + " " + b.en, a.tr + " " + b.tr}
}

func (a advice) set(st *Step) {
	st.Advice, st.AdviceTR = a.en, a.tr
}

func adviceDNS(host string, proxied bool) advice {
	if proxied {
		return advice{
			fmt.Sprintf("The proxy's name %s cannot be resolved: check the proxy address with IT, and that this computer's DNS works.", host),
			fmt.Sprintf("Vekil sunucunun (proxy) adı %s çözülemiyor: proxy adresini bilgi işlem birimiyle kontrol edin; bu bilgisayarın DNS ayarı çalışıyor mu, bakın.", host)}
	}
	return advice{
		fmt.Sprintf("The name %s cannot be resolved (DNS). Check that this computer is on the network and its DNS server works; "+
			"if the hospital reaches the internet only through a proxy, set \"proxy\" (\"system\", \"env\" or http://proxy:port).", host),
		fmt.Sprintf("%s adı çözülemiyor (DNS). Bu bilgisayarın ağa bağlı olduğunu ve DNS sunucusunun çalıştığını kontrol edin; "+
			"hastane internete yalnızca bir vekil sunucu (proxy) üzerinden çıkıyorsa \"proxy\" ayarını girin (\"system\", \"env\" ya da http://proxy:port).", host)}
}

func adviceRefused(addr, host string) advice {
	return advice{
		fmt.Sprintf("%s refused the connection: nothing listens on that port, or a firewall rejects it. Check the port in the URL; "+
			"ask IT whether outgoing HTTPS (TCP 443) to %s is allowed from this computer or a proxy must be used.", addr, host),
		fmt.Sprintf("%s bağlantıyı reddetti: o kapıda (port) çalışan bir hizmet yok ya da bir güvenlik duvarı engelliyor. Adresteki kapı numarasını kontrol edin; "+
			"bilgi işlem birimine bu bilgisayardan %s adresine HTTPS (TCP 443) çıkışına izin verilip verilmediğini ya da vekil sunucu (proxy) gerekip gerekmediğini sorun.", addr, host)}
}

func adviceNoAnswer(addr, host string, wait time.Duration) advice {
	return advice{
		fmt.Sprintf("No answer from %s within %s: a firewall is probably dropping the connection without a word. "+
			"Ask IT to allow outgoing HTTPS (TCP 443) from this computer to %s, or to tell you which proxy to use. "+
			"The Ministry's own firewall may also drop connections from a hospital IP address it does not know: "+
			"have the hospital's public IP address registered with the Ministry.", addr, seconds(wait), host),
		fmt.Sprintf("%s adresinden %s içinde yanıt gelmedi: büyük olasılıkla bir güvenlik duvarı bağlantıyı sessizce düşürüyor. "+
			"Bilgi işlem biriminden bu bilgisayardan %s adresine HTTPS (TCP 443) çıkışına izin vermesini ya da kullanılacak vekil sunucuyu (proxy) söylemesini isteyin. "+
			"Bakanlığın güvenlik duvarı da tanımadığı bir hastane IP adresinden gelen bağlantıları düşürebilir: "+
			"hastanenin internete çıktığı (dış) IP adresini Bakanlığa tanımlatın.", addr, secondsTR(wait), host)}
}

// adviceIP: the Ministry refuses the hospital's address (403, or
// connections reset or closed during the TLS handshake).
func adviceIP(what, whatTR string) advice {
	return advice{
		fmt.Sprintf("The Ministry's side refused this connection (%s). The hospital's public IP address (the address its internet traffic leaves from) "+
			"is probably not registered with the Ministry for this service: ask IT for the public IP address and have it registered with the Ministry "+
			"(Sağlık Bilgi Sistemleri Genel Müdürlüğü). If the hospital changed its internet line or provider, that IP address has changed too.", what),
		fmt.Sprintf("Bakanlık tarafı bu bağlantıyı reddetti (%s). Hastanenin internete çıktığı (dış) IP adresi bu hizmet için Bakanlığa tanımlı olmayabilir: "+
			"bilgi işlem biriminden dış IP adresini öğrenip Bakanlığa (Sağlık Bilgi Sistemleri Genel Müdürlüğü) tanımlatın. "+
			"Hastane internet hattını veya sağlayıcısını değiştirdiyse IP adresi de değişmiştir.", whatTR)}
}

func adviceInspection(host, issuer string) advice {
	return advice{
		fmt.Sprintf("The certificate %s presented was issued by %q, which this computer does not trust, while the Ministry uses a public certificate authority. "+
			"A device between this computer and the Ministry (a firewall, proxy or antivirus doing TLS/SSL inspection) is probably replacing it. "+
			"Ask IT to exempt %s (*.saglik.gov.tr) from TLS inspection; if the hospital's policy requires inspection, give the device's CA certificate in \"ca_file\".",
			host, issuer, host),
		fmt.Sprintf("%s sunucusunun sunduğu sertifikayı %q vermiş; bu bilgisayar ona güvenmiyor, oysa Bakanlık herkese açık bir sertifika kuruluşu kullanır. "+
			"Araya giren bir cihaz (TLS/SSL denetimi yapan güvenlik duvarı, vekil sunucu veya virüs programı) sertifikayı büyük olasılıkla değiştiriyor. "+
			"Bilgi işlem biriminden %s (*.saglik.gov.tr) adresini TLS denetiminden muaf tutmasını isteyin; kurum politikası denetimi zorunlu kılıyorsa cihazın kök sertifikasını \"ca_file\" ayarına verin.",
			host, issuer, host)}
}

func adviceInspectedTrusted(issuer, why, whyTR string) advice {
	return advice{
		fmt.Sprintf("Note: the certificate was issued by %q, %s. Connections to the Ministry are probably passing through a TLS-inspecting device; "+
			"they work, but if anything fails later, ask IT to exempt *.saglik.gov.tr from inspection.", issuer, why),
		fmt.Sprintf("Not: sertifikayı %q vermiş, %s. Bakanlığa giden bağlantılar büyük olasılıkla TLS denetimi yapan bir cihazdan geçiyor; "+
			"şu an çalışıyor, ama ileride sorun çıkarsa bilgi işlem biriminden *.saglik.gov.tr adresini denetimden muaf tutmasını isteyin.", issuer, whyTR)}
}

func adviceTLSName(host string) advice {
	return advice{
		fmt.Sprintf("The certificate is for another name than %s: check the URL; if the URL is right, a TLS-inspecting device or a wrong DNS answer is in between: ask IT.", host),
		fmt.Sprintf("Sertifika %s adına değil: adresi kontrol edin; adres doğruysa araya TLS denetimi yapan bir cihaz ya da yanlış bir DNS yanıtı giriyor: bilgi işlem birimine danışın.", host)}
}

var adviceTLSTime = advice{
	"The certificate is expired or not yet valid by this computer's clock: check this computer's date and time first.",
	"Sertifika bu bilgisayarın saatine göre süresi dolmuş ya da henüz geçerli değil: önce bu bilgisayarın tarih ve saatini kontrol edin."}

func advicePlainHTTP(addr string) advice {
	return advice{
		fmt.Sprintf("%s does not speak TLS: check the URL (https:// and the port).", addr),
		fmt.Sprintf("%s TLS konuşmuyor: adresi (https:// ve kapı numarasını) kontrol edin.", addr)}
}

func adviceTLSNoAnswer(addr string, wait time.Duration) advice {
	return advice{
		fmt.Sprintf("The TCP connection to %s opened but no TLS answer came within %s: a firewall or intrusion-prevention device is probably holding it; ask IT.", addr, seconds(wait)),
		fmt.Sprintf("%s adresine TCP bağlantısı açıldı ama %s içinde TLS yanıtı gelmedi: büyük olasılıkla bir güvenlik duvarı ya da saldırı önleme cihazı bağlantıyı tutuyor; bilgi işlem birimine danışın.", addr, secondsTR(wait))}
}

func adviceHTTPNoAnswer(host string, wait time.Duration) advice {
	return advice{
		fmt.Sprintf("The connection to %s opened but no HTTP answer came within %s: a firewall, proxy or intrusion-prevention device may be holding it; ask IT.", host, seconds(wait)),
		fmt.Sprintf("%s adresine bağlantı açıldı ama %s içinde HTTP yanıtı gelmedi: bir güvenlik duvarı, vekil sunucu ya da saldırı önleme cihazı bağlantıyı tutuyor olabilir; bilgi işlem birimine danışın.", host, secondsTR(wait))}
}

func adviceServer(status int) advice {
	return advice{
		fmt.Sprintf("The server answered HTTP %d: the Ministry's service, or a gateway in between, has a problem. Try again later; if it persists, report it to the Ministry's support.", status),
		fmt.Sprintf("Sunucu HTTP %d yanıtı verdi: Bakanlığın hizmetinde ya da aradaki bir ağ geçidinde sorun var. Biraz sonra yeniden deneyin; sürerse Bakanlığın destek hattına bildirin.", status)}
}

// adviceProxyLogin: the proxy answered 407, with no user name and password
// in the proxy URL (given false) or refusing those given.
func adviceProxyLogin(proxy string, given bool) advice {
	if given {
		return advice{
			fmt.Sprintf("The proxy %s refused the user name or password given in \"proxy\": check them with IT (a changed or expired password, a locked account); "+
				"the library does not try them again for a while, and repeated failures may lock the account on a proxy that checks the domain (Active Directory).", proxy),
			fmt.Sprintf("%s vekil sunucusu (proxy) \"proxy\" ayarında verilen kullanıcı adını veya şifreyi kabul etmedi: bunları bilgi işlem birimiyle kontrol edin (şifre değişmiş ya da süresi dolmuş, hesap kilitlenmiş olabilir); "+
				"kütüphane bunları bir süre yeniden denemez; üst üste hatalı girişler, etki alanına (Active Directory) bağlı bir vekil sunucuda hesabı kilitleyebilir.", proxy)}
	}
	return advice{
		fmt.Sprintf("The proxy %s wants a user name and password: put them in the proxy URL, percent-encoded (http://user:password@%s; @ as %%40, : as %%3A, # as %%23, %% as %%25), "+
			"as \"proxy\" (\"system\" takes only the proxy's address from Windows); the password never appears in logs or reports.", proxy, proxy),
		fmt.Sprintf("%s vekil sunucusu (proxy) kullanıcı adı ve şifre istiyor: bunları yüzde kodlamasıyla proxy adresine yazıp \"proxy\" ayarına girin (http://kullanici:sifre@%s; @ yerine %%40, : yerine %%3A, # yerine %%23, %% yerine %%25) "+
			"(\"system\" Windows'tan yalnızca vekil sunucunun adresini alır); şifre hiçbir kayıtta ve raporda görünmez.", proxy, proxy)}
}

func adviceProxyRefused(proxy, host string, status int) advice {
	return advice{
		fmt.Sprintf("The proxy %s refused to connect to %s (HTTP %d to CONNECT): ask IT to allow %s and *.saglik.gov.tr on port 443 in the proxy.", proxy, host, status, host),
		fmt.Sprintf("%s vekil sunucusu (proxy) %s adresine bağlanmayı reddetti (CONNECT isteğine HTTP %d): bilgi işlem biriminden proxy'de %s ve *.saglik.gov.tr adreslerine 443 numaralı kapıdan izin vermesini isteyin.", proxy, host, status, host)}
}

func adviceProxyUnreachable(proxy string) advice {
	return advice{
		fmt.Sprintf("The proxy %s cannot be reached: check its address and port with IT.", proxy),
		fmt.Sprintf("%s vekil sunucusuna (proxy) ulaşılamıyor: adresini ve kapı numarasını bilgi işlem birimiyle kontrol edin.", proxy)}
}

var adviceProxySetting = advice{
	"The \"proxy\" setting cannot be used: give \"system\" (this user's Windows proxy settings; elsewhere the environment), " +
		"\"env\" (HTTPS_PROXY and NO_PROXY) or a URL such as http://proxy:3128; check HTTPS_PROXY if the setting names the environment.",
	"\"proxy\" ayarı kullanılamıyor: \"system\" (bu kullanıcının Windows vekil sunucu ayarları; Windows dışında ortam değişkenleri), " +
		"\"env\" (HTTPS_PROXY ve NO_PROXY) ya da http://proxy:3128 gibi bir adres girin; ayar ortam değişkenlerini gösteriyorsa HTTPS_PROXY'yi kontrol edin."}

// adviceProxyRequired adds a hint when the environment names a proxy the
// client is not told to use.
func adviceProxyRequired(setting string) advice {
	env := envProxy()
	if setting != "" || env == "" {
		return advice{}
	}
	return advice{
		fmt.Sprintf("This computer's environment names a proxy (%s) that the library is not told to use: set \"proxy\" to \"env\".", env),
		fmt.Sprintf("Bu bilgisayarın ortam değişkenlerinde bir vekil sunucu (%s) tanımlı ama kütüphaneye kullanması söylenmemiş: \"proxy\" ayarını \"env\" yapın.", env)}
}

// envProxy is the proxy the environment names, without credentials.
func envProxy() string {
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		if v := os.Getenv(k); v != "" {
			return displayURL(v)
		}
	}
	return ""
}

// displayURL is a proxy URL without user and password.
func displayURL(raw string) string {
	if at := strings.LastIndex(raw, "@"); at >= 0 {
		if i := strings.Index(raw, "://"); i >= 0 && i < at {
			return raw[:i+3] + raw[at+1:]
		}
		return raw[at+1:]
	}
	return raw
}

func adviceClock(skew time.Duration, host string) advice {
	dir, dirTR := "ahead of", "ileride"
	if skew < 0 {
		dir, dirTR, skew = "behind", "geride", -skew
	}
	return advice{
		fmt.Sprintf("This computer's clock is %s %s %s's. Set the right date and time (take the time from the network automatically; "+
			"Windows: Settings, Time & language, Sync now): a wrong clock makes certificates and tokens look invalid.", roundSkew(skew), dir, host),
		fmt.Sprintf("Bu bilgisayarın saati %s sunucusununkinden %s %s. Doğru tarih ve saati ayarlayın (saati ağdan otomatik alma; "+
			"Windows: Ayarlar, Saat ve dil, Şimdi eşitle): yanlış saat sertifikaları ve tokenları geçersiz gösterir.", host, roundSkewTR(skew), dirTR)}
}

func roundSkew(d time.Duration) string {
	if d >= time.Hour {
		return fmt.Sprintf("%.1f hours", d.Hours())
	}
	return fmt.Sprintf("%.0f minutes", d.Minutes())
}

func roundSkewTR(d time.Duration) string {
	if d >= time.Hour {
		return fmt.Sprintf("%.1f saat", d.Hours())
	}
	return fmt.Sprintf("%.0f dakika", d.Minutes())
}

var adviceCredentials = advice{
	"OGN refused the institution code or the e-Nabız password (invalid_grant). Check \"institution_code\" (the ÇKYS code), " +
		"\"password\" (the institution's e-Nabız password: it may have been changed or have expired) and \"application_code\" " +
		"(the HIS vendor's code registered with the Ministry).",
	"OGN kurum kodunu veya e-Nabız şifresini kabul etmedi (invalid_grant). Kurum kodunu (ÇKYS kodu), kurumun e-Nabız şifresini " +
		"(değiştirilmiş ya da süresi dolmuş olabilir) ve HBYS firmasının Bakanlıkta tanımlı uygulama kodunu kontrol edin."}

var adviceClientID = advice{
	"OGN refused \"client_id\" or \"grant_type\": leave both out of the settings (the defaults are the guide's: ogn.sbys.api and client_sbys).",
	"OGN \"client_id\" ya da \"grant_type\" ayarını kabul etmedi: ikisini de ayarlardan çıkarın (varsayılanlar kılavuzdakiler: ogn.sbys.api ve client_sbys)."}

var adviceApplication = advice{
	"OGN does not let this application ask for tokens (unauthorized_client): check \"application_code\" with the HIS vendor and that it is registered with the Ministry.",
	"OGN bu uygulamanın token almasına izin vermiyor (unauthorized_client): \"application_code\" ayarını HBYS firmasıyla kontrol edin ve Bakanlıkta tanımlı olduğundan emin olun."}

var adviceNotOGN = advice{
	"What answered is not OGN's token service: check \"ogn_url\"; a proxy or gateway may be answering in its place.",
	"Yanıt veren OGN'nin token hizmeti değil: \"ogn_url\" ayarını kontrol edin; yerine bir vekil sunucu ya da ağ geçidi yanıt veriyor olabilir."}

var adviceRetry = advice{
	"The request failed although the network steps above passed: try again in a minute; if it keeps failing, run this check again and send the report to the HIS vendor.",
	"Yukarıdaki ağ adımları başarılı olduğu hâlde istek başarısız oldu: bir dakika sonra yeniden deneyin; sürerse bu denetimi yeniden çalıştırıp raporu HBYS firmasına gönderin."}

var adviceAPIRefused = advice{
	"The integration API refused the token OGN issued: the institution or the application code may not be authorized for the Teletip integration API, " +
		"or \"ogn_url\" and \"api_url\" point to different environments (test and production). Check both URLs, and ask the Ministry about the authorization.",
	"Entegrasyon servisi (API) OGN'nin verdiği tokenı kabul etmedi: kurumun ya da uygulama kodunun Teletıp entegrasyon servisine yetkisi olmayabilir " +
		"ya da \"ogn_url\" ile \"api_url\" farklı ortamları (test ve canlı) gösteriyor. İki adresi de kontrol edin, yetkiyi Bakanlığa sorun."}
