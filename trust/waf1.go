package trust

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"
)

// ShieldInfo is the shield's configuration, which the WAF-1 check reports,
// and a way to put requests to the deployment's shield in process.
type ShieldInfo struct {
	// Enabled reports whether the shield is on; DryRun that it reports
	// attacks without refusing them.
	Enabled, DryRun bool
	// ParanoiaLevel and Threshold are the CRS blocking paranoia level and
	// inbound anomaly threshold; CRSVersion the rule set's version.
	ParanoiaLevel, Threshold int
	CRSVersion               string
	// Trips blocked requests within Window put a client in the penalty
	// box for BlockFor.
	Trips            int
	Window, BlockFor time.Duration
	// Inspect evaluates r through the deployment's shield (the server's
	// own, or one built from the same configuration) as if it came from
	// client. Nil when no shield can be built here.
	Inspect func(r *http.Request, client string) ShieldVerdict
}

// ShieldVerdict is what the shield decided about one request.
type ShieldVerdict struct {
	Blocked, Penalised bool
	// Categories are the attack classes of the matched rules (sqli, xss,
	// lfi, rce, protocol, …).
	Categories []string
}

// wafAttack is one attack the WAF-1 check puts to the shield in process.
type wafAttack struct {
	what, method, target, body, contentType string
	categories                              []string // one of them must be reported
}

// wafAttacks cover the classes the claim names.
var wafAttacks = []wafAttack{
	{"SQL injection in a query", http.MethodGet, "/api/v1/notes?q=1%27%20UNION%20SELECT%20password%20FROM%20users--", "", "", []string{"sqli"}},
	{"SQL injection in a JSON body", http.MethodPost, "/api/v1/auth/login", `{"email":"1' OR '1'='1' -- ","password":"x"}`, "application/json", []string{"sqli"}},
	{"cross-site scripting in a form", http.MethodPost, "/login", "email=<script>alert(document.cookie)</script>", "application/x-www-form-urlencoded", []string{"xss"}},
	{"path traversal", http.MethodGet, "/static/x?file=../../../../etc/passwd", "", "", []string{"lfi"}},
	{"remote command execution", http.MethodGet, "/api/v1/search?q=;cat%20/etc/passwd", "", "", []string{"rce", "lfi"}},
	{"a CRLF injection (protocol attack)", http.MethodGet, "/login?next=%0d%0aSet-Cookie:%20session=evil", "", "", []string{"protocol-attack", "protocol"}},
}

// minLiveTrips is the penalty-box size below which the check does not
// attack the live server: its one attack would put its own address in the
// box. With the default of 5, five runs within the window from one address
// do.
const minLiveTrips = 2

// checkWAF1 reports the shield's configuration; puts SQL injection, XSS,
// path traversal, RCE and a protocol attack to the deployment's shield in
// process, expecting each blocked in its class, then trips it until the
// penalty box holds the check's own client key; and sends two attacks and
// an ordinary request to the live server, expecting 403 shield_blocked
// for the attacks only.
func checkWAF1(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	s := env.Shield
	switch {
	case !s.Enabled:
		e.failf("the shield is turned off (shield.enabled: false)")
		return e.result()
	case s.DryRun:
		e.failf("the shield is in dry-run mode: attacks are reported, not refused")
		return e.result()
	}
	e.notef("OWASP Core Rule Set %s via Coraza, paranoia level %d, inbound anomaly threshold %d; %d blocked requests within %v block a client for %v",
		s.CRSVersion, s.ParanoiaLevel, s.Threshold, s.Trips, s.Window, s.BlockFor)
	if s.Inspect == nil {
		e.failf("no shield could be built here to put attacks to: run quire trust with the server's --config")
	} else {
		inProcess(&e, s)
	}
	liveAttacks(ctx, &e, env)
	return e.result()
}

// inProcess puts the attack table to the shield, then fills the penalty
// box for a client key of the check's own.
func inProcess(e *evidence, s ShieldInfo) {
	for _, a := range wafAttacks {
		v := s.Inspect(attackRequest(a), "trust-check-"+newMarker()) // a fresh client: no penalty box
		switch {
		case !v.Blocked:
			e.failf("%s: not blocked", a.what)
		case !slices.ContainsFunc(a.categories, func(c string) bool { return slices.Contains(v.Categories, c) }):
			e.failf("%s: blocked, but as %v rather than %v", a.what, v.Categories, a.categories)
		default:
			e.notef("%s: blocked (%s)", a.what, strings.Join(v.Categories, ", "))
		}
	}
	boxed := "trust-check-" + newMarker()
	for i := 1; i <= s.Trips+1; i++ {
		v := s.Inspect(attackRequest(wafAttacks[0]), boxed)
		if v.Penalised {
			if i <= s.Trips {
				e.failf("a client was put in the penalty box after %d blocked requests, before the configured %d", i-1, s.Trips)
				return
			}
			ok := s.Inspect(httptestRequest(http.MethodGet, "/healthz", "", ""), boxed)
			if !ok.Blocked || !ok.Penalised {
				e.failf("a client in the penalty box was let through on an ordinary request")
				return
			}
			e.notef("after %d blocked requests a client is in the penalty box: even an ordinary request is refused, for %v", s.Trips, s.BlockFor)
			return
		}
	}
	e.failf("a client that tripped the shield %d times was not put in the penalty box", s.Trips+1)
}

// liveAttacks sends two attacks and an ordinary request to the server.
func liveAttacks(ctx context.Context, e *evidence, env *Env) {
	if env.URL == "" {
		e.failf("no server URL given; run with --url")
		return
	}
	if env.Shield.Trips < minLiveTrips {
		e.notef("the penalty box takes %d trips: the live server is not attacked, which would block this check's address", env.Shield.Trips)
		return
	}
	a, err := newAPIClient(env)
	if err != nil {
		e.failf("%v", err)
		return
	}
	// One request, so that a run costs its address one trip.
	for _, p := range []struct{ what, path string }{
		{"SQL injection and path traversal in a query", "api/v1/me?id=1%27%20OR%20%271%27%3D%271%27--&file=..%2F..%2F..%2F..%2Fetc%2Fpasswd"},
	} {
		r, err := a.once(ctx, http.MethodGet, p.path, nil, nil)
		switch {
		case err != nil:
			e.failf("live %s: %v", p.what, err)
		case r.status == http.StatusForbidden && r.code == "shield_blocked":
			e.notef("live %s: 403 shield_blocked", p.what)
		default:
			e.failf("live %s: answered %d %s, want 403 shield_blocked", p.what, r.status, r.code)
		}
	}
	r, err := a.once(ctx, http.MethodGet, "login", nil, map[string]string{"Accept": "text/html"})
	switch {
	case err != nil:
		e.failf("live ordinary request: %v", err)
	case r.code == "shield_blocked":
		e.failf("live ordinary request (GET /login) was refused by the shield")
	default:
		e.notef("live ordinary request (GET /login): %d", r.status)
	}
}

// attackRequest builds the request of a.
func attackRequest(a wafAttack) *http.Request {
	return httptestRequest(a.method, a.target, a.body, a.contentType)
}

// httptestRequest builds a server-side request as a browser would send it.
func httptestRequest(method, target, body, contentType string) *http.Request {
	r, _ := http.NewRequest(method, "https://quire.invalid"+target, strings.NewReader(body))
	r.RequestURI = target
	r.RemoteAddr = "192.0.2.1:40000"
	r.Host = "quire.invalid"
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
	r.Header.Set("Accept", "text/html,application/json;q=0.9,*/*;q=0.8")
	r.Header.Set("Accept-Language", "en")
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if body == "" {
		r.Body = http.NoBody
	}
	return r
}
