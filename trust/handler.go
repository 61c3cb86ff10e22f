package trust

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"time"
)

//go:embed templates/trust.html
var templateFS embed.FS

var page = template.Must(template.New("trust.html").Funcs(template.FuncMap{
	"codeSpans":   codeSpans,
	"statusLabel": statusLabel,
	"retention":   publicRetentionLine,
	"keep":        keepLabel,
}).ParseFS(templateFS, "templates/trust.html"))

// Handler serves the report that run returns: GET /trust as an HTML page
// (server-rendered, no script, no style, no external assets, so it works
// under the strictest Content-Security-Policy) and GET /trust.json as JSON.
// Mount it on both paths; it picks the format from the path. run should come
// from Schedule, since each run writes canary data.
func Handler(run func(ctx context.Context) *Report) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "Use GET.")
			return
		}
		rep := run(r.Context())
		if rep == nil {
			writeError(w, http.StatusServiceUnavailable, "unavailable", "The trust report is not available yet; try again shortly.")
			return
		}
		var buf bytes.Buffer
		ctype := "application/json"
		var err error
		if strings.HasSuffix(r.URL.Path, ".json") {
			err = rep.WriteJSON(&buf)
		} else {
			ctype = "text/html; charset=utf-8"
			err = page.Execute(&buf, newPageData(rep))
		}
		if err != nil {
			writeError(w, http.StatusInternalServerError, "internal", "Internal error.")
			return
		}
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(buf.Bytes()) // the client went away; nothing to do
		}
	})
}

// writeError writes the contract's error shape.
func writeError(w http.ResponseWriter, status int, code, message string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	body := map[string]map[string]string{"error": {"code": code, "message": message}}
	_ = json.NewEncoder(w).Encode(body) // the client went away; nothing to do
}

// pageData is what the page template sees.
type pageData struct {
	*Report
	GeneratedISO string
	Tally        map[string]int
	Sections     []section
}

type section struct {
	Name    string
	Results []Result
}

func newPageData(rep *Report) pageData {
	d := pageData{Report: rep, GeneratedISO: rep.Generated.UTC().Format(time.RFC3339), Tally: map[string]int{}}
	for s, n := range rep.Counts() {
		d.Tally[string(s)] = n
	}
	for _, res := range rep.Results {
		if n := len(d.Sections); n == 0 || d.Sections[n-1].Name != res.Section {
			d.Sections = append(d.Sections, section{Name: res.Section})
		}
		s := &d.Sections[len(d.Sections)-1]
		s.Results = append(s.Results, res)
	}
	return d
}

// span is a run of claim text, shown as code when it was in backquotes.
type span struct {
	Text string
	Code bool
}

// codeSpans splits s at backquotes, the only markdown the claim texts use,
// so that the page shows `x` as code rather than with literal backquotes.
// An unpaired backquote is kept as text.
func codeSpans(s string) []span {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // odd number of backquotes: leave the text alone
		return []span{{Text: s}}
	}
	out := make([]span, 0, len(parts))
	for i, p := range parts {
		if p != "" {
			out = append(out, span{Text: p, Code: i%2 == 1})
		}
	}
	return out
}

func statusLabel(s Status) string {
	return strings.ReplaceAll(string(s), "_", " ")
}
