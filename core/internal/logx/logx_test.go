package logx

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

func record(t *testing.T, level Level) *[]string {
	t.Helper()
	var mu sync.Mutex
	var got []string
	Set(func(l Level, ev []byte) {
		mu.Lock()
		got = append(got, string(ev))
		mu.Unlock()
	}, level)
	t.Cleanup(func() { Set(nil, Off) })
	return &got
}

func TestEventJSON(t *testing.T) {
	got := record(t, Debug)
	New(Info, "token.fetched", "token for 12345678901 fetched").
		Str("host", "ogn.example:443").Str("doctor", "12345678901").Str("empty", "").
		Int("attempt", 2).Ms("ms", 1500*time.Millisecond).Bool("resumed", true).
		Str("odd", "a\"b\\c\n\x01\xff\u2028ş").Send()
	if len(*got) != 1 {
		t.Fatalf("%d events", len(*got))
	}
	var m map[string]any
	if err := json.Unmarshal([]byte((*got)[0]), &m); err != nil {
		t.Fatalf("not JSON: %v: %s", err, (*got)[0])
	}
	want := map[string]any{"event": "token.fetched", "level": 3.0, "message": "token for 123******01 fetched",
		"host": "ogn.example:443", "doctor": "123******01", "attempt": 2.0, "ms": 1500.0, "resumed": true,
		"odd": "a\"b\\c\n\x01\ufffd\u2028ş"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	if _, ok := m["empty"]; ok {
		t.Error("an empty field is left out")
	}
	if _, err := time.Parse(time.RFC3339, m["time"].(string)); err != nil {
		t.Errorf("time: %v", err)
	}
	if strings.Contains((*got)[0], "12345678901") {
		t.Error("a full identity number")
	}
}

func TestLevels(t *testing.T) {
	got := record(t, Info)
	if !On(Error) || !On(Info) || On(Debug) || On(Off) {
		t.Fatal("On")
	}
	if New(Debug, "x", "") != nil {
		t.Fatal("a debug event at level info")
	}
	var e *Event
	e.Str("a", "b").Int("c", 1).Send() // a nil event ignores everything
	New(Warn, "http.retry", "retry").Send()
	SetLevel(Off)
	New(Error, "x", "").Send()
	SetLevel(Debug)
	New(Debug, "conn.reused", "").Send()
	if len(*got) != 2 || !strings.Contains((*got)[0], `"http.retry"`) || !strings.Contains((*got)[1], `"conn.reused"`) {
		t.Fatalf("%q", *got)
	}
	Set(nil, Debug)
	if On(Error) {
		t.Fatal("a nil sink is off")
	}
}
