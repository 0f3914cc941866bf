package core

import (
	"os"
	"testing"

	"github.com/teleradyoloji/teleradyoloji/sandbox"
	"github.com/valyala/fasthttp"
)

// benchSandbox is the sandbox named by TRL_SANDBOX_URL (so that Go and C
// benchmarks hit the same server in one run), else an in-process one.
func benchConfig(b *testing.B) string {
	if base := os.Getenv("TRL_SANDBOX_URL"); base != "" {
		return `{"institution_code":"1234567","password":"Gizli-Parola-2026!","application_code":"SANDBOX-HIS",` +
			`"ogn_url":"` + base + `","api_url":"` + base + `/integrationapi","viewer_url":"` + base + `/viewer/"}`
	}
	return startSandbox(b, sandbox.Options{}).ConfigJSON("")
}

// BenchmarkBareFasthttpPOST is the baseline: one keep-alive PostOtac round
// trip with a plain fasthttp.Client and a token fetched beforehand.
func BenchmarkBareFasthttpPOST(b *testing.B) {
	c, err := NewFromJSON([]byte(benchConfig(b)))
	if err != nil {
		b.Fatal(err)
	}
	tok, err := c.ViewerToken("12345678901", "")
	if err != nil {
		b.Fatal(err)
	}
	hc := &fasthttp.Client{}
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	req.SetRequestURI(c.otacURL)
	req.Header.SetMethod("POST")
	req.Header.SetContentType("application/json")
	req.Header.Set("Authorization", "Bearer "+tok.Value)
	req.SetBodyString(`{"AccessionNumber":"ACC-BENCH"}`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := hc.Do(req, resp); err != nil || resp.StatusCode() != 200 {
			b.Fatal(err, resp.StatusCode())
		}
	}
}

// BenchmarkViewerURLWarm is ViewerURL with its token cached: one PostOtac
// round trip plus the library's work.
func BenchmarkViewerURLWarm(b *testing.B) {
	c, err := NewFromJSON([]byte(benchConfig(b)))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.ViewerURL("ACC-BENCH", "12345678901", ""); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.ViewerURL("ACC-BENCH", "12345678901", ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildViewerURL(b *testing.B) {
	c, err := NewFromJSON([]byte(`{"institution_code":"1","password":"p","application_code":"a"}`))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := c.BuildViewerURL(guideOTAC); err != nil {
			b.Fatal(err)
		}
	}
}
