package core

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

const (
	aheadDoctor  = "10000000146"
	aheadPatient = "20000000046"
)

// aheadIdle reports whether c runs no background fetch and has none waiting.
func aheadIdle(c *Client) bool {
	c.ahead.mu.Lock()
	defer c.ahead.mu.Unlock()
	return c.ahead.running == 0 && len(c.ahead.pending) == 0
}

func TestPrefetchThenClickCostsOnlyPostOTAC(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	c := newClient(t, s, "")
	if err := c.PrefetchViewerToken(aheadDoctor, aheadPatient); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the prefetch's token", func() bool { return s.Stats().TokensByKey[aheadDoctor+"|"+aheadPatient] == 1 })
	waitFor(t, "the prefetch to end", func() bool { return aheadIdle(c) })
	s.Reset()
	if _, err := c.ViewerURL("ACC-1", aheadDoctor, aheadPatient); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.TokenRequests != 0 || st.OTACRequests != 1 {
		t.Fatalf("click after a prefetch: %d token and %d postOTAC requests, want 0 and 1", st.TokenRequests, st.OTACRequests)
	}
	// A hint for a cached pair asks for nothing.
	if err := c.PrefetchViewerToken(aheadDoctor, aheadPatient); err != nil || !aheadIdle(c) {
		t.Fatalf("hint for a cached token: %v, idle %v", err, aheadIdle(c))
	}
	if st := s.Stats(); st.TokenRequests != 0 {
		t.Fatalf("a hint for a cached token made %d token requests", st.TokenRequests)
	}
}

func TestPrefetchRefusesWhatTheClickRefuses(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	c := newClient(t, s, "")
	wantStatus(t, c.PrefetchViewerToken("1\n2", aheadPatient), InvalidArgument)
	wantStatus(t, c.PrefetchViewerToken(aheadDoctor, "\xff"), InvalidArgument)
	if st := s.Stats(); st.TokenRequests != 0 || !aheadIdle(c) {
		t.Fatalf("a refused hint was fetched: %d token requests", st.TokenRequests)
	}
}

// A burst of hints (scrolling a worklist) keeps aheadWorkers fetches in
// flight and the newest aheadPending hints waiting; the rest are dropped.
func TestPrefetchBurstIsBounded(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	c := newClient(t, s, "")
	s.AddFault(sandbox.Fault{Target: "token", Kind: "hold", Count: aheadWorkers})
	patient := func(i int) string { return fmt.Sprintf("300000%05d", i) }
	for i := 0; i < 100; i++ {
		if err := c.PrefetchViewerToken(aheadDoctor, patient(i)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the first fetches", func() bool { return s.Stats().TokenRequests == aheadWorkers })
	s.Release()
	waitFor(t, "the burst to end", func() bool { return aheadIdle(c) })
	// The workers take the newest hints, so the first two rows are fetched
	// only if a worker started before the burst moved on.
	st := s.Stats()
	if st.TokenRequests < aheadPending || st.TokenRequests > aheadWorkers+aheadPending {
		t.Fatalf("100 hints made %d token requests, want %d to %d", st.TokenRequests, aheadPending, aheadWorkers+aheadPending)
	}
	// The newest rows were kept: clicking the last one needs no token.
	for i := 100 - aheadPending; i < 100; i++ {
		if st.TokensByKey[aheadDoctor+"|"+patient(i)] != 1 {
			t.Fatalf("row %d (among the newest) was not fetched: %v", i, st.TokensByKey)
		}
	}
	s.Reset()
	if _, err := c.ViewerURL("ACC-1", aheadDoctor, patient(99)); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.TokenRequests != 0 || st.OTACRequests != 1 {
		t.Fatalf("click on the last row: %d token and %d postOTAC requests", st.TokenRequests, st.OTACRequests)
	}
}

// A click for a pair whose prefetch is in flight joins it.
func TestClickJoinsPrefetchInFlight(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	c := newClient(t, s, "")
	ev := recordEvents(t)
	s.AddFault(sandbox.Fault{Target: "token", Kind: "hold", Count: 1})
	if err := c.PrefetchViewerToken(aheadDoctor, aheadPatient); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the held prefetch", func() bool { return s.Stats().TokenRequests == 1 })
	done := make(chan error, 1)
	go func() { _, err := c.ViewerURL("ACC-1", aheadDoctor, aheadPatient); done <- err }()
	waitFor(t, "the click to wait for the prefetch", func() bool {
		return len(ev.names(t, func(m map[string]any) bool { return m["event"] == "token.wait" })) == 1
	})
	s.Release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.TokenRequests != 1 || st.OTACRequests != 1 {
		t.Fatalf("%d token and %d postOTAC requests, want 1 and 1", st.TokenRequests, st.OTACRequests)
	}
}

// A failed prefetch is logged (masked, never a secret) and not returned; a
// later click reports the error as usual.
func TestPrefetchErrorIsLoggedOnly(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	c, err := NewFromJSON([]byte(strings.Replace(s.ConfigJSON(""), sandbox.Password, "a wrong password", 1)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ev := recordEvents(t)
	if err := c.PrefetchViewerToken(aheadDoctor, aheadPatient); err != nil {
		t.Fatalf("a prefetch returned its fetch's error: %v", err)
	}
	refused := func(m map[string]any) bool { return m["event"] == "token.refused" && m["ahead"] == "prefetch" }
	waitFor(t, "the refusal in the log", func() bool { return len(ev.names(t, refused)) == 1 })
	ev.noSecrets(t, sandbox.Password, aheadDoctor, aheadPatient)
	_, err = c.ViewerURL("ACC-1", aheadDoctor, aheadPatient)
	wantStatus(t, err, AuthError)
}

// A service token used in the last part of its life is refreshed once, in
// the background, while calls go on with it; after its expiry a call finds
// the new one.
func TestServiceTokenRefreshAhead(t *testing.T) {
	s := startSandbox(t, sandbox.Options{})
	c := newClient(t, s, "")
	var skew atomic.Int64
	c.clock = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	call := func() {
		t.Helper()
		if _, err := c.Call("GET", "echo", nil); err != nil {
			t.Fatal(err)
		}
	}
	call() // the sandbox's tokens live 3600 s; refreshed ahead from 2832 s
	old, _ := c.cache.get(serviceKey, c.clock())
	skew.Store(int64(2000 * time.Second))
	call()
	if st := s.Stats(); st.ServiceTokenRequests != 1 {
		t.Fatalf("a refresh before the last part of life: %d token requests", st.ServiceTokenRequests)
	}
	skew.Store(int64(3000 * time.Second))
	s.AddFault(sandbox.Fault{Target: "token", Kind: "hold", Count: 1})
	call() // returns while the refresh is held: it never waits for it
	waitFor(t, "the refresh ahead", func() bool { return s.Stats().ServiceTokenRequests == 2 })
	call()
	if st := s.Stats(); st.ServiceTokenRequests != 2 || st.APIRequests != 4 {
		t.Fatalf("%d token and %d API requests, want 2 and 4", st.ServiceTokenRequests, st.APIRequests)
	}
	s.Release()
	waitFor(t, "the new token", func() bool { return aheadIdle(c) })
	skew.Store(int64(3700 * time.Second)) // the first token has expired
	s.Reset()
	call()
	if st := s.Stats(); st.TokenRequests != 0 || st.APIRequests != 1 {
		t.Fatalf("call after the old token's expiry: %d token and %d API requests, want 0 and 1", st.TokenRequests, st.APIRequests)
	}
	if now, _ := c.cache.get(serviceKey, c.clock()); now.Value == old.Value || strings.TrimSpace(now.Value) == "" {
		t.Fatal("the service token was not replaced")
	}
}

func TestCacheClaimsRefreshAheadOnce(t *testing.T) {
	tc := newTokenCache(4)
	now := time.Now()
	viewer := tokenKey{viewer: true, doctor: "1"}
	for _, k := range []tokenKey{serviceKey, viewer} {
		tc.put(k, Token{Value: "t", ExpiresAt: now.Add(10 * time.Minute)}, 10*time.Minute, time.Minute)
	}
	// Usable until 9 min; the last fifth of that starts at 7 min 12 s.
	if tc.claimAhead(serviceKey, now.Add(7*time.Minute)) {
		t.Fatal("claimed before the last part of life")
	}
	if !tc.claimAhead(serviceKey, now.Add(8*time.Minute)) || tc.claimAhead(serviceKey, now.Add(8*time.Minute)) {
		t.Fatal("the refresh ahead must be claimed exactly once")
	}
	if tc.claimAhead(viewer, now.Add(8*time.Minute)) {
		t.Fatal("viewer tokens are not refreshed ahead")
	}
}
