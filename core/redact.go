package core

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/teleradyoloji/teleradyoloji/core/internal/mask"
)

// maskSecrets replaces each given secret (password, token, OTAC) in text,
// then masks T.C. identity numbers (personal data under KVKK).
func maskSecrets(text string, secrets ...string) string {
	return MaskIdentityNumbers(maskEach(text, secrets))
}

// maskEach replaces each secret in text. Every occurrence is found in the
// original text and overlapping ones are masked as one, so that masking a
// short secret never leaves the rest of a longer one it overlaps showing.
func maskEach(text string, secrets []string) string {
	var hidden []bool // hidden[i]: byte i belongs to a secret
	for _, s := range secrets {
		if s == "" {
			continue
		}
		end := 0 // bytes before end are already marked for s
		for i := 0; i+len(s) <= len(text); {
			j := strings.Index(text[i:], s)
			if j < 0 {
				break
			}
			if hidden == nil {
				hidden = make([]bool, len(text))
			}
			for k := max(i+j, end); k < i+j+len(s); k++ {
				hidden[k] = true
			}
			end = i + j + len(s)
			i += j + 1
		}
	}
	if hidden == nil {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		if !hidden[i] {
			b.WriteByte(text[i])
			i++
			continue
		}
		b.WriteString("***")
		for i < len(text) && hidden[i] {
			i++
		}
	}
	return b.String()
}

// MaskIdentityNumbers shows every run of exactly 11 digits (a T.C. kimlik
// numarası) as its first 3 and last 2 digits: 123******01.
func MaskIdentityNumbers(text string) string { return mask.IdentityNumbers(text) }

// foldedSecrets are the secrets holding white space as white space folding
// makes them: a server may echo a password with other spacing.
func foldedSecrets(secrets []string) []string {
	var folded []string
	for _, s := range secrets {
		if f := strings.Join(strings.Fields(s), " "); len(f) >= 4 && strings.ContainsFunc(s, unicode.IsSpace) {
			folded = append(folded, f)
		}
	}
	return folded
}

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
	out := maskSecrets(strings.Join(strings.Fields(b.String()), " "), foldedSecrets(secrets)...)
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
