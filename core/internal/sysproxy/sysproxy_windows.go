//go:build windows

package sysproxy

import (
	"errors"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// lookupLimit bounds a PAC / WPAD evaluation: past it the last good answer
// for the host (else for any host, else direct) is used and the evaluation
// finishes in the background, so a slow PAC server never stalls a click
// (tailscale's net/tshttpproxy does the same).
var lookupLimit = 3 * time.Second

var (
	kernel32     = syscall.NewLazyDLL("kernel32.dll")
	getSystemDir = kernel32.NewProc("GetSystemDirectoryW")
	globalFree   = kernel32.NewProc("GlobalFree")

	winhttpOnce  sync.Once
	winhttp      *syscall.LazyDLL
	errNoWinHTTP = errors.New("winhttp.dll is not available")
)

// winhttp.dll from the system folder, never the application's.
func winhttpDLL() *syscall.LazyDLL {
	winhttpOnce.Do(func() {
		buf := make([]uint16, 300)
		n, _, _ := getSystemDir.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
		if n == 0 || n >= uintptr(len(buf)) {
			return
		}
		winhttp = syscall.NewLazyDLL(syscall.UTF16ToString(buf[:n]) + `\winhttp.dll`)
	})
	return winhttp
}

type ieProxyConfig struct {
	autoDetect    int32
	autoConfigURL *uint16
	proxy         *uint16
	proxyBypass   *uint16
}

type autoProxyOptions struct {
	flags                 uint32
	autoDetectFlags       uint32
	autoConfigURL         *uint16
	reserved              uintptr
	reserved2             uint32
	autoLogonIfChallenged int32
}

type proxyInfo struct {
	accessType  uint32
	proxy       *uint16
	proxyBypass *uint16
}

const (
	accessTypeNoProxy   = 1
	autoProxyAutoDetect = 1
	autoProxyConfigURL  = 2
	autoDetectTypeDHCP  = 1
	autoDetectTypeDNSA  = 2
)

// takeString copies a GlobalAlloc'd UTF-16 string and frees it.
func takeString(p *uint16) string {
	if p == nil {
		return ""
	}
	var s []uint16
	for ptr := unsafe.Pointer(p); ; ptr = unsafe.Add(ptr, 2) {
		c := *(*uint16)(ptr)
		if c == 0 {
			break
		}
		s = append(s, c)
	}
	globalFree.Call(uintptr(unsafe.Pointer(p)))
	return syscall.UTF16ToString(s)
}

type settings struct {
	autoDetect bool
	pacURL     string
	proxy      string // the raw list
	bypass     string
}

// userSettings: WinHttpGetIEProxyConfigForCurrentUser, read on each lookup
// (a registry read) so that a change in Internet Options applies at once.
func userSettings() (settings, error) {
	dll := winhttpDLL()
	if dll == nil {
		return settings{}, errNoWinHTTP
	}
	var c ieProxyConfig
	ok, _, err := dll.NewProc("WinHttpGetIEProxyConfigForCurrentUser").Call(uintptr(unsafe.Pointer(&c)))
	if ok == 0 {
		return settings{}, err
	}
	return settings{
		autoDetect: c.autoDetect != 0,
		pacURL:     takeString(c.autoConfigURL),
		proxy:      takeString(c.proxy),
		bypass:     takeString(c.proxyBypass),
	}, nil
}

var (
	sessionOnce sync.Once
	session     uintptr

	mu       sync.Mutex
	inflight = map[string]*pending{} // per host: one evaluation at a time
	lastGood = map[string]string{}   // per host: the last answer a PAC gave
	lastAny  string
	haveAny  bool
	failedAt time.Time // the last PAC / WPAD failure: no new attempt for pacRetry
)

// pacRetry: after a PAC or WPAD lookup failed (no WPAD server is the common
// case where auto-detection is on), the static settings apply for this long
// before WinHTTP is asked again.
const pacRetry = time.Minute

type pending struct {
	done  chan struct{}
	proxy string
	err   error
}

func winhttpSession() uintptr {
	sessionOnce.Do(func() {
		dll := winhttpDLL()
		if dll == nil {
			return
		}
		agent, _ := syscall.UTF16PtrFromString("teleradyoloji")
		h, _, _ := dll.NewProc("WinHttpOpen").Call(uintptr(unsafe.Pointer(agent)), accessTypeNoProxy, 0, 0, 0)
		if h != 0 {
			ms := uintptr(lookupLimit / time.Millisecond)
			dll.NewProc("WinHttpSetTimeouts").Call(h, ms, ms, ms, ms)
		}
		session = h
	})
	return session
}

// pac asks WinHTTP which proxy the PAC script (or WPAD) picks for host.
func pac(s settings, host string) (string, error) {
	h := winhttpSession()
	if h == 0 {
		return "", errNoWinHTTP
	}
	target, _ := syscall.UTF16PtrFromString("https://" + host + "/")
	var o autoProxyOptions
	if s.pacURL != "" {
		o.flags = autoProxyConfigURL
		o.autoConfigURL, _ = syscall.UTF16PtrFromString(s.pacURL)
	}
	if s.autoDetect {
		o.flags |= autoProxyAutoDetect
		o.autoDetectFlags = autoDetectTypeDHCP | autoDetectTypeDNSA
	}
	o.autoLogonIfChallenged = 1
	var info proxyInfo
	ok, _, err := winhttpDLL().NewProc("WinHttpGetProxyForUrl").Call(h, uintptr(unsafe.Pointer(target)),
		uintptr(unsafe.Pointer(&o)), uintptr(unsafe.Pointer(&info)))
	if ok == 0 {
		return "", err
	}
	list, bypass := takeString(info.proxy), takeString(info.proxyBypass)
	if info.accessType == accessTypeNoProxy || list == "" || bypassed(bypass, host, host) {
		return "", nil
	}
	return pickProxy(list), nil
}

// pacBounded runs pac for host within lookupLimit; past it, or when it
// fails, the last good answer.
func pacBounded(s settings, host string) (string, bool) {
	mu.Lock()
	p := inflight[host]
	if p == nil && !failedAt.IsZero() && time.Since(failedAt) < pacRetry {
		proxy, ok := lastGood[host]
		if !ok {
			proxy, ok = lastAny, haveAny
		}
		mu.Unlock()
		return proxy, ok
	}
	if p == nil {
		p = &pending{done: make(chan struct{})}
		inflight[host] = p
		go func() {
			proxy, err := pac(s, host)
			mu.Lock()
			p.proxy, p.err = proxy, err
			delete(inflight, host)
			if err == nil {
				lastGood[host], lastAny, haveAny = proxy, proxy, true
			} else {
				failedAt = time.Now()
			}
			mu.Unlock()
			close(p.done)
		}()
	}
	mu.Unlock()
	timer := time.NewTimer(lookupLimit)
	defer timer.Stop()
	select {
	case <-p.done:
		if p.err == nil {
			return p.proxy, true
		}
	case <-timer.C:
	}
	mu.Lock()
	defer mu.Unlock()
	if proxy, ok := lastGood[host]; ok {
		return proxy, true
	}
	return lastAny, haveAny
}

func lookup(hostport, host string) (Choice, error) {
	s, err := userSettings()
	if err != nil {
		return Choice{Source: Unreadable}, err
	}
	if s.autoDetect || s.pacURL != "" {
		if proxy, ok := pacBounded(s, host); ok {
			return Choice{Proxy: proxy, Source: Script, PAC: s.pacURL}, nil
		}
		// No PAC answer yet: the static settings below, as WinHTTP's
		// callers (browsers, .NET) fall back to them.
	}
	switch {
	case s.proxy == "":
		return Choice{Source: NotSet}, nil
	case bypassed(s.bypass, host, hostport):
		return Choice{Source: Bypassed}, nil
	}
	if proxy := pickProxy(s.proxy); proxy != "" {
		return Choice{Proxy: proxy, Source: Static}, nil
	}
	return Choice{Source: NotSet}, nil // only proxies for other schemes
}
