package core

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/teleradyoloji/teleradyoloji/sandbox"
)

// TestCloseStopsPrewarmInConnect (issue 19, finding 2): clients made and
// closed while their warm-up connects to a host that never answers. Close
// ends each warm-up at once (its conn.failed event), though the timeout is an
// hour; and the ended warm-ups leave no thread behind.
func TestCloseStopsPrewarmInConnect(t *testing.T) {
	hole, stop, err := sandbox.Blackhole()
	if err != nil {
		t.Fatal(err)
	}
	defer stop.Close()
	ev := recordEvents(t)
	const n = 300
	threads0 := threadCount(t)
	for i := 0; i < n; i++ {
		url := "http://" + hole
		c, err := NewFromJSON([]byte(fmt.Sprintf(`{"institution_code":"1","password":"p","application_code":"a",`+
			`"ogn_url":%q,"api_url":%q,"viewer_url":%q,"timeout_ms":3600000}`, url, url, url)))
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	ended := func() int {
		return len(ev.names(t, func(m map[string]any) bool {
			return m["event"] == "conn.failed" && m["host"] == hole && m["ahead"] == true
		}))
	}
	// A bound for a hang (the warm-ups would take an hour), not a timing.
	for end := time.Now().Add(60 * time.Second); ended() < n && time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
	}
	threads1 := threadCount(t)
	t.Logf("%d clients made and closed: %d warm-ups ended, threads %d -> %d", n, ended(), threads0, threads1)
	if got := ended(); got != n {
		t.Fatalf("%d of %d warm-ups still connecting after Close", n-got, n)
	}
	if threads1-threads0 > n/4 {
		t.Fatalf("threads %d -> %d after %d clients made and closed", threads0, threads1, n)
	}
}

// threadCount is the process's thread count (Threads: in /proc/self/status);
// elsewhere the goroutine count stands in.
func threadCount(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return runtime.NumGoroutine()
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads: line")
	return 0
}
