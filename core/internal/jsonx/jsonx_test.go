package jsonx

import (
	"runtime"
	"strings"
	"testing"
)

var sprayed [][]byte

// TestNoPanicOnDanglingEscape: go-json v0.10.5 read past the buffer of
// `{"Acc\` when decoding a struct and panicked when the memory after it held
// a '"'. The heap is sprayed with '"' so that it would, nearly every time.
func TestNoPanicOnDanglingEscape(t *testing.T) {
	var v struct {
		AccessToken string `json:"access_token"`
	}
	for _, tail := range []string{`{"Acc\`, `{"\`, `{"a":1,"\`, `{"access_token\`} {
		body := []byte(strings.Repeat(" ", 31-len(tail)) + tail) // + go-json's NUL: 32 bytes
		for round := 0; round < 5; round++ {
			sprayed = sprayed[:0]
			for i := 0; i < 4096; i++ {
				sprayed = append(sprayed, []byte(strings.Repeat(`"`, 32)))
			}
			for i := 0; i < len(sprayed); i += 2 {
				sprayed[i] = nil
			}
			runtime.GC()
			for i := 0; i < 50; i++ {
				if Unmarshal(body, &v) == nil {
					t.Fatalf("%q decoded", tail)
				}
			}
		}
	}
	sprayed = nil
}

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{`{}`: true, ` {"a":[1,"x"]} `: true, `{} x`: false, `{"a\`: false, ``: false, `"\q"`: false} {
		if Valid([]byte(s)) != want {
			t.Errorf("Valid(%q) != %v", s, want)
		}
	}
}
