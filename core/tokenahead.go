package core

import (
	"sync"
	"time"

	"github.com/teleradyoloji/teleradyoloji/core/internal/logx"
)

// Background token fetches: a prefetch hint (PrefetchViewerToken) and the
// service token's refresh ahead (token). Per client, at most aheadWorkers
// fetches run at once; jobs waiting for a worker are taken newest first, at
// most aheadPending are kept, and the oldest is dropped: a hint for a row
// the radiologist has scrolled past is not worth a request.
const (
	aheadWorkers = 2
	aheadPending = 4
)

// refreshAheadFraction: a service token used in the last fifth of its
// usable life (before token_refresh_margin_s) is refreshed in the background.
const refreshAheadFraction = 5

// aheadJob is one background fetch of k's token.
type aheadJob struct {
	k         tokenKey
	replacing string // the cached token a refresh replaces; "" for a prefetch
	why       string // "prefetch" or "refresh", in the log
}

// ahead holds a client's waiting jobs and counts its workers.
type ahead struct {
	mu      sync.Mutex
	pending []aheadJob // oldest first
	running int
	closed  bool
}

// fetchAhead queues j and starts a worker if fewer than aheadWorkers run.
// It never blocks on the network.
func (c *Client) fetchAhead(j aheadJob) {
	a := &c.ahead
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	kept := a.pending[:0]
	for _, p := range a.pending {
		if p.k != j.k { // the same key again moves to the newest place
			kept = append(kept, p)
		}
	}
	a.pending = append(kept, j)
	var dropped []aheadJob
	if n := len(a.pending) - aheadPending; n > 0 {
		dropped = append(dropped, a.pending[:n]...)
		a.pending = append(a.pending[:0], a.pending[n:]...)
	}
	start := a.running < aheadWorkers
	if start {
		a.running++
	}
	a.mu.Unlock()
	for _, d := range dropped {
		tokenEvent(logx.Debug, "token.ahead_dropped", "background token fetch dropped: newer hints came", d.k).Str("ahead", d.why).Send()
	}
	if start {
		go c.aheadWorker()
	}
}

// aheadWorker runs the newest waiting job until none is left.
func (c *Client) aheadWorker() {
	a := &c.ahead
	for {
		a.mu.Lock()
		if len(a.pending) == 0 {
			a.running--
			a.mu.Unlock()
			return
		}
		j := a.pending[len(a.pending)-1]
		a.pending = a.pending[:len(a.pending)-1]
		a.mu.Unlock()
		c.runAhead(j)
	}
}

// runAhead fetches j's token unless it is cached (and is not the one a
// refresh replaces) or another call is fetching it. Its errors go to the
// log only; a call that joined the fetch gets them as from any fetch.
func (c *Client) runAhead(j aheadJob) {
	defer func() {
		if recover() != nil {
			tokenEvent(logx.Error, "token.failed", "background token fetch failed", j.k).
				Str("ahead", j.why).Str("code", Internal.Name()).Send()
		}
	}()
	if tok, ok := c.cache.get(j.k, c.clock()); ok && tok.Value != j.replacing {
		return
	}
	f, leader := c.cache.join(j.k)
	if !leader {
		return
	}
	_, _ = c.lead(j.k, f, c.deadline(), j)
}

// stopAhead drops the waiting jobs and refuses new ones; fetches running
// finish (each within timeout_ms).
func (c *Client) stopAhead() {
	a := &c.ahead
	a.mu.Lock()
	a.closed, a.pending = true, nil
	a.mu.Unlock()
}

// PrefetchViewerToken asks for the viewer token of (doctor, patient) in the
// background, unless it is cached or being fetched, and returns at once: a
// ViewerURL for the same pair afterwards costs one round trip (PostOtac).
// Only bad identity numbers are an error; a failed fetch is logged, and a
// later ViewerURL reports it as usual.
func (c *Client) PrefetchViewerToken(doctorTC, patientTC string) error {
	k, err := viewerKey(doctorTC, patientTC)
	if err != nil {
		return err
	}
	if _, ok := c.cache.get(k, c.clock()); ok || c.cache.flying(k) {
		return nil
	}
	tokenEvent(logx.Debug, "token.prefetch", "viewer token asked for ahead of the click", k).Send()
	c.fetchAhead(aheadJob{k: k, why: "prefetch"})
	return nil
}

// refreshAheadIfDue starts, once per cached token, the background fetch of
// the next service token when tok has entered the last part of its life.
func (c *Client) refreshAheadIfDue(k tokenKey, tok Token, now time.Time) {
	if c.cache.claimAhead(k, now) {
		tokenEvent(logx.Debug, "token.refresh_ahead", "token near its end: the next one is fetched in the background", k).Send()
		c.fetchAhead(aheadJob{k: k, replacing: tok.Value, why: "refresh"})
	}
}
