package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/teleradyoloji/teleradyoloji/core"
)

var stepLabels = map[string][2]string{
	"config":      {"settings", "Ayarlar"},
	"proxy":       {"proxy", "Vekil sunucu"},
	"dns":         {"DNS", "DNS"},
	"tcp":         {"TCP connect", "TCP bağlantısı"},
	"tls":         {"TLS", "TLS"},
	"http":        {"HTTP", "HTTP erişimi"},
	"clock":       {"clock", "Saat"},
	"credentials": {"OGN login", "OGN girişi"},
	"api_call":    {"API call", "API çağrısı"},
}

var targetLabels = map[string][2]string{
	"ogn":    {"OGN", "OGN"},
	"api":    {"API", "API"},
	"viewer": {"viewer", "Görüntüleyici"},
}

// printReport writes the report for a person, in English or Turkish.
func printReport(w io.Writer, rep core.Report, en bool) {
	l := 1
	if en {
		l = 0
	}
	title := [2]string{"Teleradyoloji connection check", "Teleradyoloji bağlantı denetimi"}[l]
	fmt.Fprintf(w, "%s (teleradyoloji %s)\n\n", title, core.Version)
	failed := 0
	shown := map[string]bool{}
	for _, st := range rep.Steps {
		mark := "[ OK ]"
		switch {
		case st.Skipped:
			mark = "[ -- ]"
		case !st.OK:
			mark = [2]string{"[FAIL]", "[HATA]"}[l]
			failed++
		}
		label := stepLabels[st.Step][l]
		if label == "" {
			label = st.Step
		}
		if st.Target != "" {
			label += " (" + targetLabels[st.Target][l] + ")"
		}
		msg, advice := st.MessageTR, st.AdviceTR
		if en {
			msg, advice = st.Message, st.Advice
		}
		for i, line := range wrap(msg, 62) {
			if i == 0 {
				fmt.Fprintf(w, "%s %-30s %s\n", mark, label, line)
			} else {
				fmt.Fprintf(w, "%38s%s\n", "", line)
			}
		}
		if advice != "" {
			prefix := [2]string{"What to do: ", "Ne yapmalı: "}[l]
			if st.OK {
				prefix = [2]string{"Note: ", "Not: "}[l]
				advice = strings.TrimPrefix(strings.TrimPrefix(advice, "Note: "), "Not: ")
			}
			if shown[advice] {
				advice = [2]string{"as above.", "yukarıdakiyle aynı."}[l]
			} else {
				shown[advice] = true
			}
			for _, line := range wrap(prefix+advice, 92) {
				fmt.Fprintf(w, "       %s\n", line)
			}
		}
	}
	fmt.Fprintln(w)
	switch {
	case rep.OK && en:
		fmt.Fprintln(w, "Result: every check passed.")
	case rep.OK:
		fmt.Fprintln(w, "Sonuç: bütün denetimler başarılı.")
	default:
		text := fmt.Sprintf("Sonuç: %d denetim başarısız; yukarıdaki \"Ne yapmalı\" notlarına bakın. "+
			"Bu raporu HBYS firmasının desteğine iletebilirsiniz (ya da --json çıktısını).", failed)
		if en {
			text = fmt.Sprintf("Result: %d check(s) failed; see \"What to do\" above. "+
				"The HIS vendor's support can read this report (or --json).", failed)
		}
		for _, line := range wrap(text, 100) {
			fmt.Fprintln(w, line)
		}
	}
}

// wrap breaks text into lines of at most width runes, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	var cur []rune
	for _, word := range strings.Fields(text) {
		w := []rune(word)
		if len(cur) > 0 && len(cur)+1+len(w) > width {
			lines = append(lines, string(cur))
			cur = nil
		}
		if len(cur) > 0 {
			cur = append(cur, ' ')
		}
		cur = append(cur, w...)
	}
	if len(cur) > 0 {
		lines = append(lines, string(cur))
	}
	return lines
}
