//go:build windows

package sysproxy

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"
)

const connections = `HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections`

// setUserProxy writes DefaultConnectionSettings as Internet Options does:
// flags 1 direct, 2 proxy, 4 PAC script, 8 auto-detect.
func setUserProxy(t *testing.T, flags uint32, proxy, bypass, pacURL string) {
	t.Helper()
	b := binary.LittleEndian.AppendUint32(nil, 0x46)
	b = binary.LittleEndian.AppendUint32(b, 1)
	b = binary.LittleEndian.AppendUint32(b, flags)
	for _, s := range []string{proxy, bypass, pacURL} {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	b = append(b, make([]byte, 32)...)
	if out, err := exec.Command("reg", "add", connections, "/v", "DefaultConnectionSettings",
		"/t", "REG_BINARY", "/d", hex.EncodeToString(b), "/f").CombinedOutput(); err != nil {
		t.Fatalf("reg add: %v %s", err, out)
	}
}

func reset() {
	mu.Lock()
	defer mu.Unlock()
	lastGood, lastAny, haveAny, failedAt = map[string]string{}, "", false, time.Time{}
}

// A PAC server that fails falls back to the static proxy; one that is slow
// never holds a lookup past lookupLimit: the last good answer is used.
func TestPACFailureAndTimeLimit(t *testing.T) {
	if os.Getenv("TRL_SYSTEM_PROXY_TEST") == "" {
		t.Skip("rewrites the user's proxy settings: run through make test-windows-proxy (a Wine prefix)")
	}
	t.Cleanup(func() { exec.Command("reg", "delete", connections, "/v", "DefaultConnectionSettings", "/f").Run() })
	defer func(l time.Duration) { lookupLimit = l }(lookupLimit)
	lookupLimit = 500 * time.Millisecond

	var slow atomic.Bool
	pac := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing.pac" {
			http.NotFound(w, r)
			return
		}
		if slow.Load() {
			time.Sleep(3 * time.Second)
		}
		fmt.Fprint(w, `function FindProxyForURL(url, host) { return "PROXY 127.0.0.1:1111"; }`)
	}))
	defer pac.Close()

	reset()
	setUserProxy(t, 1|2|4, "127.0.0.1:2222", "", pac.URL+"/missing.pac")
	if got, err := For("a.test:443"); got != "127.0.0.1:2222" || err != nil {
		t.Fatalf("PAC missing: For = %q, %v; want the static proxy", got, err)
	}

	reset()
	setUserProxy(t, 1|4, "", "", pac.URL+"/fast.pac")
	if got, err := For("a.test:443"); got != "127.0.0.1:1111" || err != nil {
		t.Fatalf("PAC: For = %q, %v", got, err)
	}
	slow.Store(true)
	setUserProxy(t, 1|4, "", "", pac.URL+"/slow.pac")
	start := time.Now()
	got, err := For("a.test:443")
	took := time.Since(start)
	t.Logf("slow PAC: answered %q in %v (limit %v)", got, took.Round(time.Millisecond), lookupLimit)
	if got != "127.0.0.1:1111" || err != nil || took > 2*time.Second {
		t.Fatalf("slow PAC: For = %q, %v after %v; want the last good answer within the limit", got, err, took)
	}
}
