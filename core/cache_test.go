package core

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

func TestCacheCompareAndDelete(t *testing.T) {
	tc := newTokenCache(4)
	k := tokenKey{viewer: true, doctor: "1"}
	tc.put(k, Token{Value: "new", ExpiresAt: time.Now().Add(time.Hour)}, time.Hour, time.Minute)
	tc.invalidate(k, "old") // a stale 401 must not drop the fresh token
	if _, ok := tc.get(k, time.Now()); !ok {
		t.Fatal("a fresh token was dropped by a stale invalidation")
	}
	tc.invalidate(k, "new")
	if _, ok := tc.get(k, time.Now()); ok {
		t.Fatal("the refused token is still cached")
	}
}

func TestCacheRefreshMargin(t *testing.T) {
	tc := newTokenCache(4)
	now := time.Now()
	tc.put(serviceKey, Token{Value: "t", ExpiresAt: now.Add(10 * time.Minute)}, 10*time.Minute, time.Minute)
	if _, ok := tc.get(serviceKey, now.Add(8*time.Minute)); !ok {
		t.Fatal("refreshed too early")
	}
	if _, ok := tc.get(serviceKey, now.Add(9*time.Minute+time.Second)); ok {
		t.Fatal("not refreshed inside the margin")
	}
	// The margin is capped at half the lifetime.
	tc.put(serviceKey, Token{Value: "t", ExpiresAt: now.Add(60 * time.Second)}, 60*time.Second, 10*time.Minute)
	if _, ok := tc.get(serviceKey, now.Add(29*time.Second)); !ok {
		t.Fatal("margin not capped at half the lifetime")
	}
	if _, ok := tc.get(serviceKey, now.Add(31*time.Second)); ok {
		t.Fatal("kept past half the lifetime")
	}
}

func TestCacheBoundsViewerTokens(t *testing.T) {
	tc := newTokenCache(2)
	exp := time.Now().Add(time.Hour)
	tc.put(serviceKey, Token{Value: "s", ExpiresAt: exp}, time.Hour, 0)
	for i := 0; i < 5; i++ {
		k := tokenKey{viewer: true, doctor: fmt.Sprint(i)}
		tc.put(k, Token{Value: fmt.Sprint(i), ExpiresAt: exp}, time.Hour, 0)
		time.Sleep(time.Millisecond)
	}
	if n := tc.viewerCount(); n != 2 {
		t.Fatalf("%d viewer tokens kept, want 2", n)
	}
	if _, ok := tc.get(serviceKey, time.Now()); !ok {
		t.Fatal("the service token was evicted by viewer tokens")
	}
	if _, ok := tc.get(tokenKey{viewer: true, doctor: "4"}, time.Now()); !ok {
		t.Fatal("the newest viewer token was evicted")
	}
}

func TestTokenLifetimes(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	cases := []struct {
		name      string
		conf      sandbox.Config
		wantLife  time.Duration
		wantFetch int // token requests for two calls
	}{
		{"number", sandbox.Config{ExpiresIn: []byte(`3600`)}, time.Hour, 1},
		{"string", sandbox.Config{ExpiresIn: []byte(`"1800"`)}, 30 * time.Minute, 1},
		{"missing", sandbox.Config{OmitExpiresIn: true}, 300 * time.Second, 1},
		{"garbage", sandbox.Config{ExpiresIn: []byte(`"yarın"`)}, 300 * time.Second, 1},
		{"zero: not cached", sandbox.Config{ExpiresIn: []byte(`0`)}, 0, 2},
		{"negative: not cached", sandbox.Config{ExpiresIn: []byte(`-5`)}, -5 * time.Second, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.Reset()
			if err := s.SetConfig(c.conf); err != nil {
				t.Fatal(err)
			}
			cl := newClient(t, s, "")
			before := time.Now()
			tok, err := cl.ServiceToken()
			if err != nil {
				t.Fatal(err)
			}
			if d := tok.ExpiresAt.Sub(before); d < c.wantLife-time.Second || d > c.wantLife+time.Second {
				t.Fatalf("lifetime %v, want %v", d, c.wantLife)
			}
			if _, err := cl.ServiceToken(); err != nil {
				t.Fatal(err)
			}
			if n := s.Stats().TokenRequests; n != c.wantFetch {
				t.Fatalf("%d token requests, want %d", n, c.wantFetch)
			}
		})
	}
}

func TestSingleFlightPerKey(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	cl := newClient(t, s, "")
	s.AddFault(sandbox.Fault{Target: "token", Kind: "latency", DelayMS: 200, Count: 0})
	var wg sync.WaitGroup
	tokens := make([]string, 64)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			doctor := fmt.Sprint(i % 4) // 4 keys, 16 goroutines each
			tok, err := cl.ViewerToken(doctor, "")
			if err != nil {
				t.Error(err)
			}
			tokens[i] = tok.Value
		}()
	}
	wg.Wait()
	st := s.Stats()
	if st.TokenRequests != 4 {
		t.Fatalf("%d token requests for 4 keys", st.TokenRequests)
	}
	for k, n := range st.TokensByKey {
		if n != 1 {
			t.Fatalf("key %s fetched %d times", k, n)
		}
	}
	for i := range tokens {
		if tokens[i] != tokens[i%4] {
			t.Fatal("waiters did not get the leader's token")
		}
	}
}

func TestTenThousandViewerURLsOneToken(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	cl := newClient(t, s, "")
	for i := 0; i < 10000; i++ {
		if _, err := cl.ViewerURL("ACC-1", "12345678901", "98765432109"); err != nil {
			t.Fatal(err)
		}
	}
	if st := s.Stats(); st.TokenRequests != 1 || st.OTACRequests != 10000 {
		t.Fatalf("token requests %d, otac requests %d", st.TokenRequests, st.OTACRequests)
	}
}

// TestSingleFlightRace: a thread that misses the cache just before a flight
// lands, and joins just after, takes the landed token instead of fetching.
func TestSingleFlightRace(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	cl := newClient(t, s, "")
	missed, release := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	testHook = func(point string) {
		if point == "after-miss" && first.CompareAndSwap(false, true) {
			close(missed)
			<-release
		}
	}
	defer func() { testHook = nil }()
	late := make(chan error)
	go func() { _, err := cl.ServiceToken(); late <- err }()
	<-missed
	if _, err := cl.ServiceToken(); err != nil { // a whole flight while the first waits
		t.Fatal(err)
	}
	close(release)
	if err := <-late; err != nil {
		t.Fatal(err)
	}
	if n := s.Stats().TokenRequests; n != 1 {
		t.Fatalf("%d token requests for one key", n)
	}
}

// TestPanicInFetchDoesNotBlockTheKey: a panic while fetching (recovered by
// the export) still lands the flight, so later calls for the key proceed.
func TestPanicInFetchDoesNotBlockTheKey(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	cl := newClient(t, s, `"timeout_ms":2000`)
	testHook = func(point string) {
		if point == "fetch" {
			testHook = nil
			panic("boom")
		}
	}
	defer func() { testHook = nil }()
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("no panic")
			}
		}()
		cl.ServiceToken()
	}()
	start := time.Now()
	if _, err := cl.ServiceToken(); err != nil || time.Since(start) > time.Second {
		t.Fatalf("the key stayed blocked: %v after %v", err, time.Since(start))
	}
}

// TestSharedErrorIsNotMutated: waiters of one failed fetch share its error;
// scrubbing gives each a copy, so reading them concurrently is safe (-race).
func TestSharedErrorIsNotMutated(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	cl, err := NewFromJSON([]byte(strings.Replace(s.ConfigJSON(""), sandbox.Password, "Yanlis-Parola-1", 1)))
	if err != nil {
		t.Fatal(err)
	}
	s.AddFault(sandbox.Fault{Target: "token", Kind: "latency", DelayMS: 100, Count: 1})
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := cl.ServiceToken()
			if js := string(ErrorJSON(err)); StatusOf(err) != AuthError || strings.Contains(js, "Yanlis-Parola-1") {
				t.Errorf("%s", js)
			}
		}()
	}
	wg.Wait()
}
