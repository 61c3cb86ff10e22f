package shield

import (
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/corazawaf/coraza/v3"
	"github.com/corazawaf/coraza/v3/types"
)

// classRules is the analysis of every CRS detection rule for the
// pre-filter's class (prefilter_grammar.go), one "<id> <kind>" a line:
//
//   - dead: the rule cannot match any request of the class;
//   - cookie: it can match only on the Cookie header's content;
//   - rest: it can match only on the other parts of the request;
//   - both: it can match on either;
//   - whole: it can match, and does not split so (none at present).
//
// A rule that splits reads, in its chained links, only what its first link
// matched: it matches a request exactly when it matches the request's
// cookie part or its rest.
//
// The analysis in analysis_test.go produces it; TestClassRules reruns it
// and fails when the two differ (regenerate with
// go test -run TestClassRules -update).
//
//go:embed class_rules.txt
var classRules string

// Bounds of the class beyond its grammars.
const (
	maxPathLen    = 1024
	maxHeaderSeen = 32
)

// prefilter judges the requests of its class with the residual rules
// only: the CRS without the rules the analysis proved dead for the class.
// For a request of the class they match exactly what the full rules
// match, so a clean residual verdict is the full verdict.
//
// The residual rules are split in two. The rest rules run on the request
// without its Cookie header. The cookie rules run on a fixed probe request
// that carries the Cookie header: what they find there depends on the
// Cookie header only, so a clean verdict is remembered per Cookie header
// value (a session sends the same one on every request) and not recomputed.
type prefilter struct {
	rest, cookie coraza.WAF
	restCookies  bool // some rule does not split: the rest rules need the cookies
	seen         *cleanCache
	headers      map[string]grammar
	path         *regexp.Regexp
	host         *regexp.Regexp
}

func newPrefilter(cfg Config) (*prefilter, error) {
	d, err := Directives(cfg)
	if err != nil {
		return nil, err
	}
	return newPrefilterFor(d)
}

// newPrefilterFor builds the pre-filter for the rules of directives d.
func newPrefilterFor(d string) (*prefilter, error) {
	kinds := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(classRules), "\n") {
		id, kind, _ := strings.Cut(line, " ")
		kinds[kind] = append(kinds[kind], id)
	}
	rest, err := compileWAF(d + "\n" + removal(slices.Concat(kinds["dead"], kinds["cookie"])))
	if err != nil {
		return nil, fmt.Errorf("shield: compiling the residual rules: %w", err)
	}
	cookie, err := compileWAF(d + "\n" + removal(slices.Concat(kinds["dead"], kinds["rest"], kinds["whole"])))
	if err != nil {
		return nil, fmt.Errorf("shield: compiling the residual cookie rules: %w", err)
	}
	p := &prefilter{rest: rest, cookie: cookie, restCookies: len(kinds["whole"]) > 0, seen: newCleanCache(cookieCacheSize),
		headers: compileGrammars(), path: whole(grammarPath), host: whole(grammarHost)}
	if !runClean(p.cookie, cookieProbe(""), false) {
		return nil, errors.New("shield: the pre-filter's cookie probe is not clean")
	}
	return p, nil
}

// cookieProbe is the request the cookie rules run on: fixed parts that
// no rule matches, and the Cookie header.
func cookieProbe(cookie string) *http.Request {
	h := http.Header{
		"User-Agent": {"Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0"},
		"Accept":     {"*/*"},
	}
	if cookie != "" {
		h["Cookie"] = []string{cookie}
	}
	return &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/"}, RequestURI: "/",
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h, Host: "shield.invalid",
		RemoteAddr: "192.0.2.1:1", Body: http.NoBody}
}

// removal is a SecRuleRemoveById directive for ids (several lines, to keep
// each short).
func removal(ids []string) string {
	var b strings.Builder
	for i := 0; i < len(ids); i += 32 {
		b.WriteString("SecRuleRemoveById " + strings.Join(ids[i:min(i+32, len(ids))], " ") + "\n")
	}
	return b.String()
}

// inClass reports whether r belongs to the pre-filter's class: a GET or
// HEAD without query or body, over HTTP/1.1 or 2, whose path, host and
// every header fit their grammars, each header at most once.
func (p *prefilter) inClass(r *http.Request) bool {
	if !slices.Contains(classMethods, r.Method) || !slices.Contains(classProtocols, r.Proto) ||
		r.ContentLength != 0 || len(r.TransferEncoding) != 0 || r.Body != nil && r.Body != http.NoBody {
		return false
	}
	uri := requestURI(r)
	if len(uri) > maxPathLen || !p.path.MatchString(uri) || len(r.Host) > maxHeaderLen || !p.host.MatchString(r.Host) {
		return false
	}
	if len(r.Header) > maxHeaderSeen {
		return false
	}
	for _, h := range requiredHeaders {
		if _, ok := r.Header[h]; !ok {
			return false
		}
	}
	for name, values := range r.Header {
		g, ok := p.headers[name]
		if !ok || len(values) != 1 || len(values[0]) > g.maxLen || !g.re.MatchString(values[0]) {
			return false
		}
	}
	return true
}

// clean reports whether r is of the class and the residual rules find
// nothing in it. Otherwise the full rules decide.
func (p *prefilter) clean(r *http.Request) bool {
	if !p.inClass(r) || !runClean(p.rest, r, !p.restCookies) {
		return false
	}
	cookie := r.Header.Get("Cookie")
	if cookie == "" || p.seen.has(cookie) {
		return true
	}
	if !runClean(p.cookie, cookieProbe(cookie), false) {
		return false
	}
	p.seen.add(cookie)
	return true
}

// runClean runs waf on r, a request of the class (no body), without its
// Cookie header if skipCookie, and reports whether nothing was found.
func runClean(waf coraza.WAF, r *http.Request, skipCookie bool) bool {
	tx := waf.NewTransaction()
	defer tx.Close()
	addr, port := splitAddr(r.RemoteAddr)
	tx.ProcessConnection(addr, port, "", 0)
	tx.ProcessURI(requestURI(r), r.Method, r.Proto)
	for name, values := range r.Header {
		if skipCookie && name == "Cookie" {
			continue
		}
		for _, value := range values {
			tx.AddRequestHeader(name, value)
		}
	}
	tx.AddRequestHeader("Host", r.Host)
	tx.SetServerName(hostOnly(r.Host))
	if it := tx.ProcessRequestHeaders(); it != nil {
		return false
	}
	if it, err := tx.ProcessRequestBody(); it != nil || err != nil {
		return false
	}
	return !anyReported(tx)
}

// anyReported reports whether a rule a Verdict would list matched.
func anyReported(tx types.Transaction) bool {
	for _, m := range tx.MatchedRules() {
		if reported(m.Rule().ID()) && logged(m) {
			return true
		}
	}
	return false
}
