package core

import "time"

// testHook, when set by a test, runs at named points: "after-miss" (between
// a cache miss and joining a flight) and "fetch" (as a leader fetches).
var testHook func(point string)

// token returns the cached token for k or fetches one, once per key at a
// time; every waiter honours its own deadline.
func (c *Client) token(k tokenKey, deadline time.Time) (Token, error) {
	for {
		now := c.clock()
		if tok, ok := c.cache.get(k, now); ok {
			logCacheHit(k, tok, now)
			c.refreshAheadIfDue(k, tok, now)
			return tok, nil
		}
		if testHook != nil {
			testHook("after-miss")
		}
		f, leader := c.cache.join(k)
		if leader {
			return c.lead(k, f, deadline, aheadJob{})
		}
		logJoined(k)
		timer := time.NewTimer(time.Until(deadline))
		select {
		case <-f.done:
			timer.Stop()
		case <-timer.C:
			return Token{}, &Error{Status: Timeout, Message: "OGN token request: timed out", Retryable: true}
		}
		if f.err == nil {
			return f.tok, nil
		}
		// The leader's own deadline may have been shorter than ours.
		if StatusOf(f.err) != Timeout || !time.Now().Before(deadline) {
			return Token{}, f.err
		}
	}
}

// lead fetches the token of flight f and lands it, also when the fetch
// panics (the export recovers the panic; the waiters get TRL_E_INTERNAL and
// the key is not blocked). ahead is the background job it runs for, if any.
func (c *Client) lead(k tokenKey, f *flight, deadline time.Time, ahead aheadJob) (tok Token, err error) {
	err = &Error{Status: Internal, Message: "OGN token request: internal error"}
	defer func() { c.cache.land(k, f, tok, err) }()
	// A flight that landed between our miss and join has cached its token
	// (for a refresh ahead: another than the one it replaces).
	if cached, ok := c.cache.get(k, c.clock()); ok && cached.Value != ahead.replacing {
		return cached, nil
	}
	if testHook != nil {
		testHook("fetch")
	}
	start := time.Now()
	fetched, lifetime, ferr := c.fetchToken(k, deadline)
	if ferr == nil && lifetime > 0 {
		c.cache.put(k, fetched, lifetime, c.cfg.TokenRefreshMargin)
	}
	if ferr == nil {
		c.logFetched(k, fetched, lifetime, time.Since(start), ahead.why)
	} else {
		c.logFetchFailed(k, ferr, time.Since(start), ahead.why)
	}
	return fetched, ferr
}

// withToken runs do with the token for k. When do reports a 401, exactly
// the token it sent is dropped (compare-and-delete) and do runs once more
// with a fresh one. The error is scrubbed of every token sent; answered
// tells whether it is do's (the server's answer) rather than a token
// fetch's.
func (c *Client) withToken(k tokenKey, deadline time.Time, do func(token string) (unauthorized bool, err error)) (answered bool, err error) {
	var sent []string
	if _, ok := c.cache.get(k, c.clock()); !ok && c.conns.NeedsConn(c.api) {
		// The token request takes a round trip or more: connect to the API
		// host meanwhile, so the call after it need not.
		c.conns.Warm(c.api)
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.token(k, deadline)
		if err != nil {
			return false, c.scrub(err, sent...)
		}
		sent = append(sent, tok.Value)
		unauthorized, err := do(tok.Value)
		if unauthorized {
			c.cache.invalidate(k, tok.Value)
			c.logRejected(k, attempt == 0)
			if attempt == 0 {
				continue
			}
		}
		return true, c.scrub(err, sent...)
	}
}

// ServiceToken returns the token for helper-service calls (flow 1).
func (c *Client) ServiceToken() (Token, error) {
	tok, err := c.token(serviceKey, c.deadline())
	return tok, c.scrub(err)
}

// ViewerToken returns the token for opening the viewer (flow 2), cached per
// (doctor, patient). Empty identity numbers are not sent.
func (c *Client) ViewerToken(doctorTC, patientTC string) (Token, error) {
	k, err := viewerKey(doctorTC, patientTC)
	if err != nil {
		return Token{}, err
	}
	tok, err := c.token(k, c.deadline())
	return tok, c.scrub(err)
}
