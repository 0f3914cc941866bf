package core

import (
	"sync"
	"sync/atomic"
	"time"
)

// tokenCache holds tokens per key, fetches each key once at a time
// (singleflight) and bounds the number of viewer tokens. Cache hits take only
// a read lock that no fetch holds.
type tokenCache struct {
	mu       sync.RWMutex
	entries  map[tokenKey]*cacheEntry
	maxViews int // most viewer tokens kept

	flightMu sync.Mutex
	flights  map[tokenKey]*flight
}

type cacheEntry struct {
	tok       Token
	refreshAt time.Time
	aheadAt   time.Time    // from then on a use refreshes it in the background (service token)
	aheadDone atomic.Bool  // that refresh was started
	lastUsed  atomic.Int64 // unix nanoseconds, for eviction
}

// flight is one token fetch in progress; waiters read tok/err after done.
type flight struct {
	done chan struct{}
	tok  Token
	err  error
}

func newTokenCache(maxViewerTokens int) *tokenCache {
	return &tokenCache{
		entries:  make(map[tokenKey]*cacheEntry),
		flights:  make(map[tokenKey]*flight),
		maxViews: maxViewerTokens,
	}
}

// get returns a fresh cached token for k.
func (tc *tokenCache) get(k tokenKey, now time.Time) (Token, bool) {
	tc.mu.RLock()
	e := tc.entries[k]
	tc.mu.RUnlock()
	if e == nil || !now.Before(e.refreshAt) {
		return Token{}, false
	}
	e.lastUsed.Store(now.UnixNano())
	return e.tok, true
}

// put stores tok for k, to be refreshed margin before it expires (the margin
// is capped at half the lifetime). The service token is refreshed ahead, in
// the background, when used in the last 1/refreshAheadFraction of the time
// before that.
func (tc *tokenCache) put(k tokenKey, tok Token, lifetime, margin time.Duration) {
	margin = min(margin, lifetime/2)
	e := &cacheEntry{tok: tok, refreshAt: tok.ExpiresAt.Add(-margin)}
	e.aheadAt = e.refreshAt
	if k == serviceKey {
		e.aheadAt = e.refreshAt.Add(-(lifetime - margin) / refreshAheadFraction)
	}
	e.lastUsed.Store(time.Now().UnixNano())
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if k.viewer {
		if _, ok := tc.entries[k]; !ok && tc.viewerCount() >= tc.maxViews {
			tc.evictOldestViewer()
		}
	}
	tc.entries[k] = e
}

func (tc *tokenCache) viewerCount() int {
	n := 0
	for k := range tc.entries {
		if k.viewer {
			n++
		}
	}
	return n
}

// evictOldestViewer drops the least recently used viewer token.
func (tc *tokenCache) evictOldestViewer() {
	var oldest tokenKey
	var oldestAt int64 = 1<<63 - 1
	for k, e := range tc.entries {
		if at := e.lastUsed.Load(); k.viewer && at < oldestAt {
			oldest, oldestAt = k, at
		}
	}
	delete(tc.entries, oldest)
}

// invalidate deletes k's token only if it is still value (compare-and-delete),
// so a token refreshed by another thread meanwhile survives.
func (tc *tokenCache) invalidate(k tokenKey, value string) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if e := tc.entries[k]; e != nil && e.tok.Value == value {
		delete(tc.entries, k)
	}
}

// invalidateValue deletes whichever entry holds value.
func (tc *tokenCache) invalidateValue(value string) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	for k, e := range tc.entries {
		if e.tok.Value == value {
			delete(tc.entries, k)
		}
	}
}

// claimAhead reports, once per cached token, that k's token is still fresh
// but in the last part of its life: time to fetch the next in the background.
func (tc *tokenCache) claimAhead(k tokenKey, now time.Time) bool {
	tc.mu.RLock()
	e := tc.entries[k]
	tc.mu.RUnlock()
	return e != nil && !now.Before(e.aheadAt) && now.Before(e.refreshAt) && e.aheadDone.CompareAndSwap(false, true)
}

// flying reports whether k's token is being fetched.
func (tc *tokenCache) flying(k tokenKey) bool {
	tc.flightMu.Lock()
	defer tc.flightMu.Unlock()
	return tc.flights[k] != nil
}

// join returns the fetch in flight for k, starting one (leader=true) if none.
func (tc *tokenCache) join(k tokenKey) (f *flight, leader bool) {
	tc.flightMu.Lock()
	defer tc.flightMu.Unlock()
	if f = tc.flights[k]; f != nil {
		return f, false
	}
	f = &flight{done: make(chan struct{})}
	tc.flights[k] = f
	return f, true
}

// land publishes the result of a flight and ends it.
func (tc *tokenCache) land(k tokenKey, f *flight, tok Token, err error) {
	f.tok, f.err = tok, err
	tc.flightMu.Lock()
	delete(tc.flights, k)
	tc.flightMu.Unlock()
	close(f.done)
}
