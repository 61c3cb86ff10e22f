package shield

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"testing"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
)

var sinkVerdict Verdict

// bareCRS is Coraza with the CRS as their documentation sets them up:
// the recommended configuration with the engine on, the CRS setup and
// every rule file. It is the baseline the shield is measured against.
func bareCRS(tb testing.TB) *Shield {
	tb.Helper()
	rec, err := fs.ReadFile(coreruleset.FS, "@coraza.conf-recommended")
	if err != nil {
		tb.Fatal(err)
	}
	waf, err := compileWAF(string(rec) + "\nSecRuleEngine On\nInclude @crs-setup.conf.example\nInclude @owasp_crs/*.conf\n")
	if err != nil {
		tb.Fatal(err)
	}
	s := mustShield(tb, Config{}, false)
	return &Shield{cfg: s.cfg, waf: waf, logger: s.logger, clock: s.clock}
}

// benchRequests are a typical page GET (browser headers, a path, the
// session cookie), the same with a Referer, the same with a session cookie
// never seen before on every request (the pre-filter remembers clean
// cookies: this is its cost on a session's first request), and a 2 KB
// JSON note save.
func benchRequests() map[string]func() *http.Request {
	n := 0
	note := `{"title":"Weekly sync","content":"` + strings.Repeat("Notes from the meeting: ship the editor fix, review Q1 numbers. ", 30)[:1900] + `","isPinned":false}`
	get := req("GET", "/notes/abc", "", [2]string{"Cookie", sessionCookie})
	ref := req("GET", "/notes/abc", "", [2]string{"Cookie", sessionCookie}, [2]string{"Referer", "https://quire.example.com/notes"})
	post := req("POST", "/api/v1/folders", note, apiHeaders...)
	prompt := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Summarise the meeting notes in three bullet points, please."}]}`
	chat := req("POST", "/v1/chat/completions", prompt, [2]string{"Content-Type", "application/json"},
		[2]string{"Authorization", "Bearer qk_0123456789abcdefghijklmnopqrstuvwxyzABCDEF"}, [2]string{"User-Agent", "OpenAI/Python 1.54.0"})
	return map[string]func() *http.Request{
		"post-gateway-chat": func() *http.Request {
			chat.Body = io.NopCloser(bytes.NewReader([]byte(prompt)))
			return chat
		},
		"get":         func() *http.Request { return get },
		"get-referer": func() *http.Request { return ref },
		"get-new-cookie": func() *http.Request {
			n++
			get.Header.Set("Cookie", sessionCookie[:len(sessionCookie)-8]+strconv.Itoa(10_000_000+n))
			return get
		},
		"post-json-2k": func() *http.Request {
			post.Body = io.NopCloser(bytes.NewReader([]byte(note)))
			return post
		},
	}
}

// BenchmarkInspect measures the shield with and without its pre-filter
// against bare Coraza with the CRS (x-baseline: time relative to it, lower
// is better) on the same requests, in the same run.
func BenchmarkInspect(b *testing.B) {
	variants := []struct {
		name string
		s    *Shield
	}{
		{"baseline-bare-crs", bareCRS(b)},
		{"shield-no-prefilter", mustShield(b, Config{}, false)},
		{"shield", mustShield(b, Config{}, true)},
	}
	for _, name := range []string{"get", "get-referer", "get-new-cookie", "post-json-2k", "post-gateway-chat"} {
		mk := benchRequests()[name]
		if v := variants[2].s.Inspect(mk(), ""); v.Blocked || len(v.RuleIDs) != 0 {
			b.Fatalf("%s is not clean: %+v", name, v)
		}
		var base float64
		for _, v := range variants {
			b.Run(name+"/"+v.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					sinkVerdict = v.s.Inspect(mk(), "")
				}
				if v.name == "baseline-bare-crs" {
					base = perOp(b)
				} else if base > 0 {
					b.ReportMetric(perOp(b)/base, "x-baseline")
				}
			})
		}
	}
}

// BenchmarkInClass is the cost of the pre-filter's class check alone.
func BenchmarkInClass(b *testing.B) {
	s := mustShield(b, Config{}, true)
	r := benchRequests()["get"]()
	for b.Loop() {
		if !s.pre.inClass(r) {
			b.Fatal("not in the class")
		}
	}
}

// perOp is the mean time of one iteration in nanoseconds.
func perOp(b *testing.B) float64 {
	return float64(b.Elapsed().Nanoseconds()) / float64(max(b.N, 1))
}
