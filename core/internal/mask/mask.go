// Package mask hides personal data in text: T.C. identity numbers (KVKK).
package mask

// IdentityNumbers shows every run of exactly 11 digits (a T.C. kimlik
// numarası) as its first 3 and last 2 digits: 123******01.
func IdentityNumbers(text string) string {
	var b []byte
	for i := 0; i < len(text); {
		j := i
		for j < len(text) && text[j] >= '0' && text[j] <= '9' {
			j++
		}
		if j == i {
			i++
			continue
		}
		if j-i == 11 {
			if b == nil {
				b = []byte(text)
			}
			copy(b[i+3:j-2], "******")
		}
		i = j
	}
	if b == nil {
		return text
	}
	return string(b)
}
