// Package jsonx is the one place the library touches its JSON package
// (github.com/goccy/go-json), so it can be swapped or tuned in one file.
package jsonx

import (
	"bytes"
	stdjson "encoding/json" // its Valid is strict where go-json's is lenient
	"unicode/utf8"

	json "github.com/goccy/go-json"
)

// RawMessage is a raw encoded JSON value.
type RawMessage = json.RawMessage

// Marshal encodes v as JSON without HTML escaping.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Unmarshal decodes data into v.
func Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// Valid reports whether data is one strictly valid JSON value (RFC 8259:
// no raw control characters in strings, no "00"), in UTF-8.
func Valid(data []byte) bool { return utf8.Valid(data) && stdjson.Valid(data) }
