package core

// PostOTAC asks for a one-time code for accession with the caller's token and
// returns the bare OTAC. A 401 is TRL_E_HTTP 401 (the token is the caller's:
// no retry) and evicts that token from the cache.
func (c *Client) PostOTAC(token, accession string) (string, error) {
	if err := checkAccession(accession); err != nil {
		return "", err
	}
	if token == "" {
		return "", errorf(InvalidArgument, "token is empty")
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
	deadline := c.deadline()
	k := tokenKey{viewer: true, doctor: doctorTC, patient: patientTC}
	var otac string
	err := c.withToken(k, deadline, func(token string) (bool, error) {
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
		return errorf(InvalidArgument, "accession is empty")
	case len(accession) > 256:
		return errorf(InvalidArgument, "accession is longer than 256 bytes")
	}
	return nil
}
