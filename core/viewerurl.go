package core

import (
	"fmt"
	"net/url"
	"strings"
)

// maxOTACLen bounds an OTAC; the guide's sample has 43 characters.
const maxOTACLen = 1024

// validOTAC reports whether s is 1–1024 characters of A-Z a-z 0-9 - . _ ~ + / =.
func validOTAC(s string) bool {
	if len(s) == 0 || len(s) > maxOTACLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isUnreserved(c) || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}

func isUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

const viewerRoute = "#/viewpatient?otac="

// BuildViewerURL returns {viewer_url}/#/viewpatient?otac={otac}, with every
// character outside A-Z a-z 0-9 - . _ ~ percent-encoded. No I/O.
func (c *Client) BuildViewerURL(otac string) (string, error) {
	if !validOTAC(otac) {
		return "", errorfTR(InvalidArgument, fmt.Sprintf("Görüntüleme kodu (OTAC) 1-%d karakter olmalı: A-Z a-z 0-9 - . _ ~ + / =", maxOTACLen),
			"otac must be 1-%d characters of A-Z a-z 0-9 - . _ ~ + / =", maxOTACLen)
	}
	return buildViewerURL(c.viewerBase, otac), nil
}

func buildViewerURL(base, otac string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(base) + len(viewerRoute) + 3*len(otac))
	b.WriteString(base)
	b.WriteString(viewerRoute)
	for i := 0; i < len(otac); i++ {
		if ch := otac[i]; isUnreserved(ch) {
			b.WriteByte(ch)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[ch>>4])
			b.WriteByte(hex[ch&15])
		}
	}
	return b.String()
}

// otacFromURL takes the otac parameter of a viewer URL: from its fragment
// route (#/viewpatient?otac=…) or else its query, percent-decoded with '+'
// kept as '+'.
func otacFromURL(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	for _, part := range []string{u.EscapedFragment(), "?" + u.RawQuery} {
		_, query, ok := strings.Cut(part, "?")
		if !ok {
			continue
		}
		for _, kv := range strings.Split(query, "&") {
			name, value, _ := strings.Cut(kv, "=")
			if !strings.EqualFold(name, "otac") {
				continue
			}
			otac, err := url.PathUnescape(value)
			if err != nil || otac == "" {
				return "", false
			}
			return otac, true
		}
	}
	return "", false
}
