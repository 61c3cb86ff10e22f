package trust

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// BotInfo is the bot-detection configuration the BOT-1 check reports and
// compares the live server against.
type BotInfo struct {
	// Enabled reports whether the bot policy is on.
	Enabled bool
	// DryRun reports that denials are recorded but not enforced.
	DryRun bool
	// Signatures is the number of bot signatures the detector compiled,
	// and Categories how many of them fall in each category.
	Signatures int
	Categories map[string]int
	// Vendors are the crawler operators whose bots are verified by reverse
	// DNS (or published ranges).
	Vendors []string
}

// minSignatures is the signature count the claim states.
const minSignatures = 600

// Browser-like headers for the control request, which must be let
// through.
const browserUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

// botProbe is one request of the BOT-1 check: a client, a route, and
// whether the policy must refuse it.
type botProbe struct {
	what, path, ua string
	browser        bool // send a browser's Accept headers
	denied         bool
}

// botProbes cover each route class the policy treats differently.
var botProbes = []botProbe{
	{"a browser on the sign-in page", "login", browserUA, true, false},
	{"curl on the sign-in page", "login", "curl/8.5.0", false, true},
	{"python-requests on the sign-in API", "api/v1/auth/password-strength", "python-requests/2.32.3", false, true},
	{"an AI crawler (GPTBot) on a page", "", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", false, true},
	{"a request with no User-Agent on a page", "", "", false, true},
	{"a Googlebot User-Agent from the checker's address (spoofed) on a public note link", "s/trust-check-link", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", false, true},
	{"curl on the API (judged by its key, not its User-Agent)", "api/v1/me", "curl/8.5.0", false, false},
	{"curl on the health check", "healthz", "curl/8.5.0", false, false},
}

// checkBOT1 reports the signature set and sends requests as known bots,
// a spoofed crawler, a client without a User-Agent, and a browser, to
// routes of each class, expecting the refusals (403 bot_denied) and
// passes of the default policy.
func checkBOT1(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	b := env.Bots
	switch {
	case !b.Enabled:
		e.failf("bot detection is turned off (bots.enabled: false)")
		return e.result()
	case b.Signatures < minSignatures:
		e.failf("%d bot signatures compiled, fewer than the %d the claim states", b.Signatures, minSignatures)
	default:
		e.notef("%d bot signatures compiled, in categories: %s", b.Signatures, categoryCounts(b.Categories))
	}
	if len(b.Vendors) > 0 {
		e.notef("crawlers verified by forward-confirmed reverse DNS (or configured ranges): %s", strings.Join(b.Vendors, ", "))
	}
	if b.DryRun {
		e.failf("bots.dry_run is on: denials are recorded but not enforced")
		return e.result()
	}
	a, err := newAPIClient(env)
	if err != nil {
		e.failf("%v", err)
		return e.result()
	}
	for _, p := range botProbes {
		hdr := map[string]string{"User-Agent": p.ua}
		if p.browser {
			hdr["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
			hdr["Accept-Language"] = "en-GB,en;q=0.9"
		}
		r, err := a.botRequest(ctx, p.path, hdr)
		if err != nil {
			e.failf("%s: %v", p.what, err)
			continue
		}
		denied := r.status == http.StatusForbidden && r.code == "bot_denied"
		switch {
		case denied && p.denied:
			e.notef("%s: 403 bot_denied", p.what)
		case p.browser && r.status != http.StatusOK:
			e.failf("%s: answered %d, want the page (200)", p.what, r.status)
		case !denied && !p.denied:
			e.notef("%s: let through (%d)", p.what, r.status)
		case p.denied:
			e.failf("%s: let through (%d), want 403 bot_denied", p.what, r.status)
		default:
			e.failf("%s: refused as a bot, want it let through", p.what)
		}
	}
	return e.result()
}

// botRequest sends GET path with exactly the given User-Agent ("" sends
// none) and Accept headers: the probe transport's defaults are kept out.
func (a *apiClient) botRequest(ctx context.Context, path string, hdr map[string]string) (*apiResponse, error) {
	h := map[string]string{"Accept": "*/*", "Accept-Language": "", "User-Agent": ""} // present, so not replaced
	for k, v := range hdr {
		h[k] = v
	}
	return a.once(ctx, http.MethodGet, path, nil, h)
}

// categoryCounts renders the category counts in a stable order.
func categoryCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + strconv.Itoa(m[k])
	}
	return strings.Join(parts, ", ")
}
