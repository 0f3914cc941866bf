// Package jsonx is the one place the library touches its JSON package
// (github.com/goccy/go-json), so it can be swapped or tuned in one file.
package jsonx

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
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

var errInvalid = errors.New("invalid JSON")

// Unmarshal decodes data into v. Only valid JSON reaches go-json: v0.10.5
// decoding a struct from a document ending in a dangling escape inside a
// key (`{"Acc\`) reads past its buffer and panics, depending on what
// follows the buffer in memory (found by FuzzParseTokenResponse; upstream
// goccy/go-json#604, #575, unfixed in v0.10.6).
func Unmarshal(data []byte, v any) error {
	if !stdjson.Valid(data) {
		return errInvalid
	}
	return json.Unmarshal(data, v)
}

// Valid reports whether data is one strictly valid JSON value in UTF-8
// (encoding/json's scanner, RFC 8259: no raw control characters in strings,
// no "00"; go-json's Valid runs its lenient stream decoder).
func Valid(data []byte) bool { return utf8.Valid(data) && stdjson.Valid(data) }
