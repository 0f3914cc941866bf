package core

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// PostOTAC asks for a one-time code for accession with the caller's token and
// returns the bare OTAC. A 401 is TRL_E_HTTP 401 (the token is the caller's:
// no retry) and evicts that token from the cache.
func (c *Client) PostOTAC(token, accession string) (string, error) {
	if err := checkAccession(accession); err != nil {
		return "", err
	}
	if err := checkToken(token); err != nil {
		return "", err
	}
	otac, err := c.postOTAC(token, accession, c.deadline())
	if e, ok := err.(*Error); ok && e.HTTPStatus == 401 {
		c.cache.invalidateValue(token)
	}
	return otac, c.scrub(err, token)
}

// ViewerURL is the one call most HIS code needs: the viewer token for
// (doctor, patient), PostOtac, then the viewer URL. A 401 on PostOtac drops
// exactly that token, fetches a fresh one and tries once more.
func (c *Client) ViewerURL(accession, doctorTC, patientTC string) (string, error) {
	if err := checkAccession(accession); err != nil {
		return "", err
	}
	k, err := viewerKey(doctorTC, patientTC)
	if err != nil {
		return "", err
	}
	deadline := c.deadline()
	var otac string
	_, err = c.withToken(k, deadline, func(token string) (bool, error) {
		var err error
		otac, err = c.postOTAC(token, accession, deadline)
		e, ok := err.(*Error)
		return ok && e.HTTPStatus == 401, err
	})
	if err != nil {
		return "", err
	}
	return buildViewerURL(c.viewerBase, otac), nil
}

func checkAccession(accession string) error {
	switch {
	case accession == "":
		return errorfTR(InvalidArgument, "Tetkik numarası (accession) boş.", "accession is empty")
	case len(accession) > 256:
		return errorfTR(InvalidArgument, "Tetkik numarası (accession) 256 bayttan uzun.", "accession is longer than 256 bytes")
	case !utf8.ValidString(accession):
		// Never turned into U+FFFD: the server would get another accession.
		return errorfTR(InvalidArgument, "Tetkik numarası (accession) geçerli UTF-8 metin değil.", "accession is not valid UTF-8")
	}
	return nil
}

// checkIdentity checks a doctor's or patient's T.C. identity number as the
// caller gave it (the server does not validate it): UTF-8 text of one line.
func checkIdentity(which, tc string) error {
	switch {
	case !utf8.ValidString(tc):
		return errorfTR(InvalidArgument, whoTR(which)+" T.C. kimlik numarası geçerli UTF-8 metin değil.", "%s identity number is not valid UTF-8", which)
	case len(tc) > 64 || strings.ContainsFunc(tc, unicode.IsControl):
		return errorfTR(InvalidArgument, whoTR(which)+" T.C. kimlik numarası tek ve kısa bir satır olmalı.", "%s identity number must be one short line", which)
	}
	return nil
}

// whoTR is "doctor" or "patient" in Turkish, as a possessive.
func whoTR(which string) string {
	if which == "doctor" {
		return "Hekimin"
	}
	return "Hastanın"
}

// viewerKey is the token key of (doctor, patient), both checked.
func viewerKey(doctorTC, patientTC string) (tokenKey, error) {
	if err := checkIdentity("doctor", doctorTC); err != nil {
		return tokenKey{}, err
	}
	if err := checkIdentity("patient", patientTC); err != nil {
		return tokenKey{}, err
	}
	return tokenKey{viewer: true, doctor: doctorTC, patient: patientTC}, nil
}

// checkToken checks a caller-given token before it goes into a header.
func checkToken(token string) error {
	switch {
	case token == "":
		return errorfTR(InvalidArgument, "Token boş.", "token is empty")
	case !utf8.ValidString(token) || strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return errorfTR(InvalidArgument, "Token boşluksuz, yazdırılabilir tek bir kelime olmalı.", "token must be one word of printable text")
	}
	return nil
}
