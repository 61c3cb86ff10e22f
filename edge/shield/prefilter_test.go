package shield

import (
	"encoding/base64"
	"flag"
	"net/http"
	"regexp/syntax"
	"sort"
	"strings"
	"testing"
	"time"
)

// checkClean requires that a request the pre-filter judges clean is one
// the full rules (the same configuration, without the pre-filter) find
// nothing in. It reports whether the pre-filter judged it clean.
func checkClean(t *testing.T, cfg Config, r func() *http.Request, what string) bool {
	t.Helper()
	pre := mustShield(t, cfg, true)
	if !pre.pre.clean(r()) {
		return false
	}
	if v := mustShield(t, cfg, false).Inspect(r(), ""); len(v.RuleIDs) != 0 || v.Blocked {
		t.Errorf("paranoia level %d, %s: judged clean, the rules find %v", cfg.WithDefaults().ParanoiaLevel, what, v.RuleIDs)
	}
	return true
}

// classRequest is a page GET of the class with the given free parts.
func classRequest(path, host, cookie, referer, auth string) func() *http.Request {
	return func() *http.Request {
		r := req("GET", path, "")
		r.Host = host
		for name, value := range map[string]string{"Cookie": cookie, "Referer": referer, "Authorization": auth} {
			if value != "" {
				r.Header.Set(name, value)
			}
		}
		return r
	}
}

func TestPrefilterClass(t *testing.T) {
	t.Parallel()
	s := mustShield(t, Config{}, true)
	in := []*http.Request{
		req("GET", "/notes/abc", "", [2]string{"Cookie", sessionCookie}),
		req("HEAD", "/", ""),
		req("GET", "/static/app.css", "", [2]string{"Referer", "https://quire.example.com/notes/abc"}),
		classRequest("/a/b-c_d/e", "localhost:8443", "a=b; c=d", "http://localhost:8443/", "Bearer qk_live_0123456789abcdef")(),
	}
	for i, r := range in {
		if !s.pre.inClass(r) {
			t.Errorf("request %d is not in the class", i)
		}
	}
	out := map[string]*http.Request{
		"query":           req("GET", "/notes?x=1", ""),
		"post":            req("POST", "/notes", "a=b", formHeaders...),
		"dot segment":     req("GET", "/a/../b", ""),
		"double slash":    req("GET", "//a", ""),
		"percent":         req("GET", "/a%20b", ""),
		"ip host":         classRequest("/", "192.0.2.1", "", "", "")(),
		"hex host":        classRequest("/", "cafe", "", "", "")(),
		"curl":            req("GET", "/", "", [2]string{"User-Agent", "curl/8.5.0"}),
		"no user agent":   req("GET", "/", "", [2]string{"User-Agent", ""}),
		"odd header":      req("GET", "/", "", [2]string{"X-Whatever", "1"}),
		"cookie with dot": req("GET", "/", "", [2]string{"Cookie", "_ga=GA1.1.2"}),
		"repeated header": func() *http.Request {
			r := req("GET", "/", "")
			r.Header.Add("Accept-Language", "fr")
			r.Header.Add("Accept-Language", "en")
			return r
		}(),
		"http/1.0": func() *http.Request { r := req("GET", "/", ""); r.Proto = "HTTP/1.0"; return r }(),
	}
	for name, r := range out {
		if s.pre.inClass(r) {
			t.Errorf("%s is in the class", name)
		}
	}
}

// TestPrefilterCatchesAttacksInTheClass: requests of the class whose free
// parts carry what CRS rules match are not judged clean; they go on to the
// full rules, which block them.
func TestPrefilterCatchesAttacksInTheClass(t *testing.T) {
	t.Parallel()
	s := mustShield(t, Config{}, true)
	cases := map[string]func() *http.Request{
		"java in a cookie":        classRequest("/", "quire.example.com", "s=runtimebase64data", "", ""),
		"prototype in a cookie":   classRequest("/", "quire.example.com", "s=__proto__", "", ""),
		"traversal in a path":     classRequest("/0x2e0x2e/0x2e0x2e/etc", "quire.example.com", "", "", ""),
		"base64 in a path":        classRequest("/AAA"+base64.RawStdEncoding.EncodeToString([]byte("x;eval(1)")), "quire.example.com", "", "", ""),
		"restricted file in path": classRequest("/WEB-INF/web.json", "quire.example.com", "", "", ""),
		"java in a host":          classRequest("/", "java.lang.runtime", "", "", ""),
		"java in a bearer token":  classRequest("/", "quire.example.com", "", "", "Bearer runtime-processbuilder-unmarshaller"),
		"powershell in a cookie":  classRequest("/", "quire.example.com", "s=Invoke-Expression", "", ""),
	}
	for name, mk := range cases {
		if !s.pre.inClass(mk()) {
			t.Errorf("%s: not in the class (the case tests nothing)", name)
			continue
		}
		if s.pre.clean(mk()) {
			t.Errorf("%s: judged clean", name)
		}
		if v := mustShield(t, Config{}, false).Inspect(mk(), ""); len(v.RuleIDs) == 0 {
			t.Errorf("%s: the full rules find nothing either (the case tests nothing)", name)
		}
	}
}

// TestPrefilterCookieCache: a clean Cookie header is remembered, an
// unclean one is not, and the cache stays within its bound.
func TestPrefilterCookieCache(t *testing.T) {
	t.Parallel()
	c := newCleanCache(100)
	for i := range 1000 {
		c.add(strings.Repeat("x", i))
		if !c.has(strings.Repeat("x", i)) {
			t.Fatalf("entry %d forgotten at once", i)
		}
	}
	if n := c.len(); n > 100 {
		t.Fatalf("holds %d entries, bound 100", n)
	}
	if c.has("never added") {
		t.Fatal("has an entry never added")
	}
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	bad := classRequest("/", "quire.example.com", "s=runtimebase64data", "", "")
	good := classRequest("/", "quire.example.com", sessionCookie, "", "")
	for range 3 {
		if v := s.Inspect(bad(), ""); !v.Blocked {
			t.Fatalf("unclean cookie passed: %+v", v)
		}
		if v := s.Inspect(good(), ""); v.Blocked || !v.Prefiltered {
			t.Fatalf("clean cookie: %+v", v)
		}
	}
	if n := s.pre.seen.len(); n != 1 {
		t.Fatalf("%d cookies remembered, want 1 (only the clean one)", n)
	}
}

var fullSweep = flag.Bool("shield.fullsweep", false, "run the keyword sweep on every word")

// sweepWords are strings the CRS rules look for: the entries of its data
// files, the literal runs of its regular expressions, and base64 forms of
// payloads that rules decode, cut to what the class's free parts can hold.
func sweepWords(tb testing.TB) []string {
	tb.Helper()
	set := map[string]bool{}
	add := func(w string) {
		w = strings.Map(func(r rune) rune {
			if r < 128 && (r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return r
			}
			return '-'
		}, w)
		for _, part := range strings.Split(w, "--") {
			if part = strings.Trim(part, "-"); len(part) >= 2 && len(part) <= 48 {
				set[part] = true
			}
		}
	}
	rules, err := readCRSRules()
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range rules {
		for _, l := range r.links {
			op := parseOperator(l.op)
			switch op.name {
			case "pmfromfile", "pmf":
				for _, w := range dataWords(op.arg) {
					add(w)
				}
			case "pm":
				for _, w := range strings.Fields(op.arg) {
					add(w)
				}
			case "rx":
				if re, err := syntax.Parse(op.arg, syntax.Perl); err == nil {
					literals(re, add)
				}
			}
		}
	}
	for _, p := range []string{"eval(1)", "this.constructor", "require('x')", "process.env", "__js_function", "while(true){}",
		"java.lang.Runtime", "<script>", "' or 1=1--", ";cat /etc/passwd"} {
		for pad := range 3 {
			s := strings.Repeat("x", pad) + p
			add(base64.StdEncoding.EncodeToString([]byte(s)))
			add(base64.RawURLEncoding.EncodeToString([]byte(s)))
		}
	}
	words := make([]string, 0, len(set))
	for w := range set {
		words = append(words, w)
	}
	sort.Strings(words)
	return words
}

// literals calls add with every literal string of re.
func literals(re *syntax.Regexp, add func(string)) {
	if re.Op == syntax.OpLiteral {
		add(string(re.Rune))
	}
	for _, s := range re.Sub {
		literals(s, add)
	}
}

// TestPrefilterKeywordSweep puts every sweep word in the free parts of
// requests of the class (cookie value and name, path segment and file
// name, host label, Referer path, bearer token): whatever the pre-filter
// judges clean, the full rules must find nothing in (checkClean).
func TestPrefilterKeywordSweep(t *testing.T) {
	t.Parallel()
	words := sweepWords(t)
	if len(words) < 5000 {
		t.Fatalf("only %d words", len(words))
	}
	if !*fullSweep {
		// A fixed eighth of the words by default (a few seconds); all of
		// them with -shield.fullsweep (about a minute of CPU).
		var some []string
		for i := 0; i < len(words); i += 8 {
			some = append(some, words[i])
		}
		words = some
	}
	start := time.Now()
	clean, checked := 0, 0
	for _, w := range words {
		parts := []func() *http.Request{
			classRequest("/notes/"+w, "quire.example.com", "s=x"+w, "", ""),
			classRequest("/"+w+".css", "quire.example.com", w+"=1", "", ""),
			classRequest("/", "quire.example.com", "a="+w, "https://quire.example.com/"+w, "Bearer "+strings.Repeat("k", 16)+w),
		}
		if host := strings.Trim(w, "-_"); host != "" && !strings.Contains(host, "_") {
			parts = append(parts, classRequest("/", host+".example.com", "", "", ""))
		}
		for i, mk := range parts {
			if !mustShield(t, Config{}, true).pre.inClass(mk()) {
				continue
			}
			checked++
			if checkClean(t, Config{}, mk, "word "+w+" placement "+string(rune('a'+i))) {
				clean++
			}
		}
	}
	t.Logf("keyword sweep: %d words, %d requests of the class checked, %d judged clean, in %v", len(words), checked, clean, time.Since(start).Round(time.Millisecond))
	if clean == 0 || checked == 0 {
		t.Fatal("the sweep checked nothing")
	}
}
