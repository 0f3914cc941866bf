package sandbox

import (
	"time"

	"github.com/valyala/fasthttp"
)

// viewerPage is the fake viewer: like the real one it routes on the URL
// fragment (#/viewpatient?otac=…), which the browser never sends, and opens
// the study with the one-time code. With forbid_framing set it refuses to be
// shown in a frame, as a viewer may: browsers then do not render it (nor run
// its script, so the OTAC stays unused).
func (s *Server) viewerPage(ctx *fasthttp.RequestCtx) {
	s.mu.Lock()
	forbid := s.conf.ForbidFraming != nil && *s.conf.ForbidFraming
	s.mu.Unlock()
	if forbid {
		ctx.Response.Header.Set("Content-Security-Policy", "frame-ancestors 'none'")
		ctx.Response.Header.Set("X-Frame-Options", "DENY")
	}
	ctx.SetContentType("text/html; charset=utf-8")
	ctx.SetBodyString(`<!DOCTYPE html>
<html lang="tr"><head><meta charset="utf-8"><title>Teleradyoloji (sandbox)</title></head>
<body>
<h1>Teleradyoloji görüntüleyici — sandbox</h1>
<p id="status">yükleniyor…</p>
<script>
(function () {
  var el = document.getElementById("status");
  var m = /^#\/viewpatient\?(.*)$/.exec(location.hash);
  var otac = m && new URLSearchParams(m[1].replace(/\+/g, "%2B")).get("otac");
  if (!otac) { el.textContent = "OTAC yok"; el.className = "error"; return; }
  fetch("api/open?otac=" + encodeURIComponent(otac)).then(function (r) {
    return r.json().then(function (body) {
      if (r.ok) { el.textContent = "Tetkik açıldı: " + body.accession; el.className = "ok"; }
      else { el.textContent = "Hata " + r.status + ": " + body.Message; el.className = "error"; }
    });
  });
})();
</script>
</body></html>
`)
}

// openStudy consumes an OTAC once: 200 the first time, 410 after, 404 unknown.
func (s *Server) openStudy(ctx *fasthttp.RequestCtx) {
	otac := string(ctx.QueryArgs().Peek("otac"))
	s.mu.Lock()
	info, ok := s.otacs.get(otac, time.Now())
	switch {
	case !ok:
		s.mu.Unlock()
		writeJSON(ctx, fasthttp.StatusNotFound, map[string]string{"Message": "OTAC bulunamadı"})
		return
	case info.used:
		s.mu.Unlock()
		writeJSON(ctx, fasthttp.StatusGone, map[string]string{"Message": "OTAC daha önce kullanıldı"})
		return
	}
	s.otacs.markUsed(otac)
	if s.countsLocked(ctx) {
		s.stats.ViewerOpens++
	}
	s.mu.Unlock()
	writeJSON(ctx, fasthttp.StatusOK, map[string]any{"ok": true, "accession": info.accession})
}
