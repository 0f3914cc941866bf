package core

import (
	"strings"
	"unicode/utf8"

	"github.com/teleradyoloji/teleradyoloji/core/internal/mask"
)

// maskSecrets replaces each given secret (password, token, OTAC) in text,
// then masks T.C. identity numbers (personal data under KVKK).
func maskSecrets(text string, secrets ...string) string {
	for _, s := range secrets {
		if s != "" {
			text = strings.ReplaceAll(text, s, "***")
		}
	}
	return MaskIdentityNumbers(text)
}

// MaskIdentityNumbers shows every run of exactly 11 digits (a T.C. kimlik
// numarası) as its first 3 and last 2 digits: 123******01.
func MaskIdentityNumbers(text string) string { return mask.IdentityNumbers(text) }

// redact makes server-supplied text safe for an error message: it masks the
// given secrets first, then any run of 16 or more token-like characters
// holding a digit or mixed case (a server may echo a token or an OTAC we
// never saw), folds white space, and only then cuts the result to max bytes
// on a rune boundary.
func redact(text string, max int, secrets ...string) string {
	return redactRuns(text, max, looksLikeSecret, secrets)
}

// excerpt is redact for a body we could not understand, where a value we
// failed to parse may be a short OTAC: every run of 8 or more token-like
// characters is masked.
func excerpt(text string, max int, secrets ...string) string {
	return redactRuns(text, max, func(run string) bool { return len(run) >= 8 }, secrets)
}

func redactRuns(text string, max int, mask func(run string) bool, secrets []string) string {
	text = maskSecrets(text, secrets...)
	var b strings.Builder
	for i := 0; i < len(text); {
		if !isTokenByte(text[i]) {
			b.WriteByte(text[i])
			i++
			continue
		}
		j := i
		for j < len(text) && isTokenByte(text[j]) {
			j++
		}
		if mask(text[i:j]) {
			b.WriteString("***")
		} else {
			b.WriteString(text[i:j])
		}
		i = j
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	if len(out) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut] + "…"
	}
	return out
}

// looksLikeSecret: long, and random-looking (a digit, or upper and lower case).
func looksLikeSecret(run string) bool {
	if len(run) < 16 {
		return false
	}
	var digit, upper, lower bool
	for i := 0; i < len(run); i++ {
		c := run[i]
		digit = digit || c >= '0' && c <= '9'
		upper = upper || c >= 'A' && c <= 'Z'
		lower = lower || c >= 'a' && c <= 'z'
	}
	return digit || upper && lower
}

func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '+' || c == '/' || c == '=' || c == '~' || c == '%'
}
