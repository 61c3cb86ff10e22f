package trust

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// checkHDR1 fetches a page, the health check, a missing page and the
// plain-HTTP redirect from the running server and checks the security
// headers on each, as the Mozilla HTTP Observatory grades them.
func checkHDR1(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	u, err := url.Parse(env.URL)
	if env.URL == "" {
		e.failf("no server URL given; run with --url")
		return e.result()
	} else if err != nil || u.Scheme != "https" || u.Host == "" {
		e.failf("the server URL must be an absolute https:// URL")
		return e.result()
	}
	c := probeClient(env.RootCAs, env.ServerName)
	probes := []struct{ url, what string }{
		{u.JoinPath("trust").String(), "the /trust page"},
		{u.JoinPath("healthz").String(), "/healthz"},
		{u.JoinPath("trust-check-missing-" + newMarker()).String(), "a missing page"},
	}
	if env.HTTPURL != "" {
		probes = append(probes, struct{ url, what string }{env.HTTPURL + "/", "the plain-HTTP redirect"})
	}
	for _, p := range probes {
		resp, err := get(ctx, c, p.url)
		if err != nil {
			e.failf("GET %s: %v", p.what, err)
			continue
		}
		problems := headerProblems(resp.Header, strings.HasPrefix(p.url, "https://"))
		for _, pr := range problems {
			e.failf("%s (status %d): %s", p.what, resp.StatusCode, pr)
		}
		if len(problems) == 0 {
			e.notef("%s (status %d): CSP without unsafe-inline/unsafe-eval and with frame-ancestors, base-uri, object-src and form-action; X-Frame-Options, Referrer-Policy no-referrer, nosniff, COOP/CORP same-origin, Permissions-Policy and the rest present; no Server or X-Powered-By", p.what, resp.StatusCode)
		}
	}
	return e.result()
}

// requiredHeaders are the headers whose value must be one of the listed
// ones (compared case-insensitively).
var requiredHeaders = []struct {
	name string
	ok   []string
}{
	{"X-Frame-Options", []string{"deny", "sameorigin"}},
	{"Referrer-Policy", []string{"no-referrer"}},
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
	{"Cross-Origin-Resource-Policy", []string{"same-origin", "same-site"}},
	{"Origin-Agent-Cluster", []string{"?1"}},
	{"X-DNS-Prefetch-Control", []string{"off"}},
	{"X-Permitted-Cross-Domain-Policies", []string{"none"}},
}

// headerProblems lists what is wrong with the security headers of one
// response; https says whether HSTS is required.
func headerProblems(h http.Header, https bool) []string {
	var out []string
	for _, r := range requiredHeaders {
		v := strings.ToLower(strings.TrimSpace(h.Get(r.name)))
		if !slices.Contains(r.ok, v) {
			out = append(out, fmt.Sprintf("%s is %q, want %s", r.name, h.Get(r.name), strings.Join(r.ok, " or ")))
		}
	}
	if h.Get("Permissions-Policy") == "" {
		out = append(out, "Permissions-Policy missing")
	}
	for _, leak := range []string{"Server", "X-Powered-By"} {
		if v := h.Get(leak); v != "" {
			out = append(out, fmt.Sprintf("%s header reveals %q", leak, v))
		}
	}
	if https {
		if hs, err := parseHSTS(h.Get("Strict-Transport-Security")); err != nil || hs.maxAge < hstsMinAge || !hs.includeSubDomains {
			out = append(out, "Strict-Transport-Security missing or weaker than one year with includeSubDomains")
		}
	}
	return append(out, cspProblems(h.Values("Content-Security-Policy"))...)
}

// cspProblems grades a Content-Security-Policy: no inline or evaluated
// code, no wildcard script sources, and the directives that stop framing,
// base-URL hijacking, plugins and form redirection.
func cspProblems(values []string) []string {
	if len(values) == 0 {
		return []string{"Content-Security-Policy missing"}
	}
	dirs := map[string][]string{}
	for _, v := range values {
		for _, d := range strings.Split(v, ";") {
			f := strings.Fields(strings.ToLower(d))
			if len(f) > 0 {
				dirs[f[0]] = append(dirs[f[0]], f[1:]...)
			}
		}
	}
	var out []string
	for name, srcs := range dirs {
		for _, s := range srcs {
			if s == "'unsafe-inline'" || s == "'unsafe-eval'" {
				out = append(out, fmt.Sprintf("CSP %s allows %s", name, s))
			}
		}
	}
	scripts, ok := dirs["script-src"]
	if !ok {
		scripts = dirs["default-src"]
	}
	for _, s := range scripts {
		if s == "*" || s == "http:" || s == "https:" || s == "data:" {
			out = append(out, fmt.Sprintf("CSP lets scripts load from %s", s))
		}
	}
	if _, ok := dirs["default-src"]; !ok {
		out = append(out, "CSP has no default-src")
	}
	for _, need := range []struct {
		name string
		ok   []string
	}{
		{"frame-ancestors", []string{"'none'", "'self'"}},
		{"base-uri", []string{"'none'", "'self'"}},
		{"object-src", []string{"'none'"}},
		{"form-action", []string{"'none'", "'self'"}},
	} {
		srcs := dirs[need.name]
		if len(srcs) != 1 || !slices.Contains(need.ok, srcs[0]) {
			out = append(out, fmt.Sprintf("CSP %s is %q, want %s", need.name, strings.Join(srcs, " "), strings.Join(need.ok, " or ")))
		}
	}
	return out
}
