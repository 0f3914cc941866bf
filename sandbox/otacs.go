package sandbox

import (
	"encoding/json"
	"time"

	"github.com/valyala/fasthttp"
)

// The OTACs issued are kept for otacLifetime, used or not (a used one
// answers 410 until then), and at most maxOTACs of them, the oldest dropped
// first: a long-running sandbox (make soak, a vendor's test bench) stays
// bounded. Options.OTACLifetime and Options.MaxOTACs change them.
const (
	otacLifetime = 10 * time.Minute
	maxOTACs     = 100_000
)

type otacInfo struct {
	accession string
	used      bool
	issued    time.Time
}

// otacStore is the OTACs issued, oldest first in order.
type otacStore struct {
	byCode   map[string]otacInfo
	order    []string // codes in issue order from head on; some may be gone already
	head     int
	lifetime time.Duration
	max      int
}

func newOTACStore(lifetime time.Duration, max int) *otacStore {
	if lifetime <= 0 {
		lifetime = otacLifetime
	}
	if max <= 0 {
		max = maxOTACs
	}
	return &otacStore{byCode: map[string]otacInfo{}, lifetime: lifetime, max: max}
}

// add keeps a new OTAC issued for accession, dropping expired and excess ones.
func (o *otacStore) add(code, accession string, now time.Time) {
	o.byCode[code] = otacInfo{accession: accession, issued: now}
	o.order = append(o.order, code)
	o.prune(now)
}

// get returns a live OTAC; an expired one is dropped.
func (o *otacStore) get(code string, now time.Time) (otacInfo, bool) {
	info, ok := o.byCode[code]
	if ok && now.Sub(info.issued) > o.lifetime {
		delete(o.byCode, code)
		return otacInfo{}, false
	}
	return info, ok
}

func (o *otacStore) markUsed(code string) {
	if info, ok := o.byCode[code]; ok {
		info.used = true
		o.byCode[code] = info
	}
}

// prune drops, oldest first, the OTACs past their lifetime or over max.
func (o *otacStore) prune(now time.Time) {
	for o.head < len(o.order) {
		code := o.order[o.head]
		info, ok := o.byCode[code]
		if ok && len(o.order)-o.head <= o.max && now.Sub(info.issued) <= o.lifetime {
			break
		}
		delete(o.byCode, code)
		o.order[o.head] = ""
		o.head++
	}
	if o.head > len(o.order)/2 { // reuse the dropped half's room
		o.order = append(o.order[:0], o.order[o.head:]...)
		o.head = 0
	}
}

func (o *otacStore) len() int { return len(o.byCode) }

// OTACCheck is one OTAC a client got, and the accession it asked it for.
type OTACCheck struct {
	OTAC      string `json:"otac"`
	Accession string `json:"accession"`
}

// OTACReport counts the checked OTACs: crossed ones were issued for another
// accession (a client mixed up answers), unknown ones were never issued or
// are no longer kept.
type OTACReport struct {
	Checked int `json:"checked"`
	Crossed int `json:"crossed"`
	Unknown int `json:"unknown"`
}

// CheckOTACs tells whether each OTAC was issued for its accession, without
// using it.
func (s *Server) CheckOTACs(list []OTACCheck) OTACReport {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var r OTACReport
	for _, c := range list {
		r.Checked++
		info, ok := s.otacs.get(c.OTAC, now)
		switch {
		case !ok:
			r.Unknown++
		case info.accession != c.Accession:
			r.Crossed++
		}
	}
	return r
}

func (s *Server) checkOTACsControl(ctx *fasthttp.RequestCtx) {
	var list []OTACCheck
	if err := json.Unmarshal(ctx.PostBody(), &list); err != nil {
		writeJSON(ctx, 400, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(ctx, 200, s.CheckOTACs(list))
}
