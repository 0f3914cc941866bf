package core

import "time"

// testHookAfterMiss, when set by a test, runs between a cache miss and
// joining a flight.
var testHookAfterMiss func()

// token returns the cached token for k or fetches one, once per key at a
// time; every waiter honours its own deadline.
func (c *Client) token(k tokenKey, deadline time.Time) (Token, error) {
	for {
		if tok, ok := c.cache.get(k, time.Now()); ok {
			return tok, nil
		}
		if testHookAfterMiss != nil {
			testHookAfterMiss()
		}
		f, leader := c.cache.join(k)
		if leader {
			// A flight that landed between our miss and join has cached its token.
			if tok, ok := c.cache.get(k, time.Now()); ok {
				c.cache.land(k, f, tok, nil)
				return tok, nil
			}
			tok, lifetime, err := c.fetchToken(k, deadline)
			if err == nil && lifetime > 0 {
				c.cache.put(k, tok, lifetime, c.cfg.TokenRefreshMargin)
			}
			c.cache.land(k, f, tok, err)
			return tok, err
		}
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

// ServiceToken returns the token for helper-service calls (flow 1).
func (c *Client) ServiceToken() (Token, error) {
	tok, err := c.token(serviceKey, c.deadline())
	return tok, c.scrub(err)
}

// ViewerToken returns the token for opening the viewer (flow 2), cached per
// (doctor, patient). Empty identity numbers are not sent.
func (c *Client) ViewerToken(doctorTC, patientTC string) (Token, error) {
	tok, err := c.token(tokenKey{viewer: true, doctor: doctorTC, patient: patientTC}, c.deadline())
	return tok, c.scrub(err)
}
