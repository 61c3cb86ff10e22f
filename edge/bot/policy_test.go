package bot

import (
	"strings"
	"testing"
)

// TestPolicyDefaults checks the default action of every category on every
// class.
func TestPolicyDefaults(t *testing.T) {
	p := mustNew(t, DefaultConfig()).Policy()
	want := func(class RouteClass, res Result) Action {
		switch {
		case class == Health || res.Category == Human, class == Static, class == API:
			return Allow
		case class == Public && (res.Category == SocialPreview || res.Category == SearchEngine && res.Verified()):
			return Allow
		}
		return Deny
	}
	for _, class := range append(RouteClasses, Health) {
		for _, cat := range append(BotCategories, Human) {
			for _, v := range []Verification{Unchecked, ByDNS} {
				res := Result{Category: cat, Name: "n", Verification: v}
				d := p.Decide(class, res)
				if d.Action != want(class, res) {
					t.Errorf("%s %s (%s): %s, want %s", class, cat, v, d.Action, want(class, res))
				}
				if d.DryRun || d.Reason == "" || d.Class != class || d.Verified != v.Verified() {
					t.Errorf("%s %s: %+v", class, cat, d)
				}
			}
		}
	}
	for class, all := range map[RouteClass]bool{Page: false, Auth: false, Public: false, Static: true, API: true, Health: true} {
		if p.AllowsAll(class) != all {
			t.Errorf("AllowsAll(%s) = %v", class, !all)
		}
	}
}

func TestPolicyConfigured(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AllowHeadless = true
	cfg.Categories = map[string]string{"monitor": "allow", "seo": "deny"}
	cfg.Routes = map[string]RouteConfig{
		"page":   {Allow: []string{"search_engine"}, Deny: []string{"verified_search_engine"}},
		"auth":   {Deny: []string{"monitor"}},
		"static": {Deny: []string{"security_scanner"}},
		"api":    {Deny: []string{"headless"}}, // a route list wins over allow_headless
		"public": {DryRun: true},
	}
	p := mustNew(t, cfg).Policy()
	cases := []struct {
		class RouteClass
		res   Result
		want  Action
	}{
		{Page, Result{Category: Headless}, Allow},
		{Auth, Result{Category: Headless}, Allow},
		{API, Result{Category: Headless}, Deny},
		{Page, Result{Category: Monitor}, Allow},
		{Auth, Result{Category: Monitor}, Deny},
		{Static, Result{Category: SEO}, Deny},
		{Static, Result{Category: SecurityScanner}, Deny},
		{Static, Result{Category: Scraper}, Allow},
		{Page, Result{Category: SearchEngine}, Allow},
		{Page, Result{Category: SearchEngine, Verification: ByDNS}, Deny},
		{Public, Result{Category: SearchEngine, Verification: ByRange}, Allow}, // default kept
		{Auth, Result{Category: SearchEngine, Verification: ByDNS}, Deny},      // inherits search_engine
		{Page, Result{Category: Spoofed}, Deny},
	}
	for _, c := range cases {
		if d := p.Decide(c.class, c.res); d.Action != c.want {
			t.Errorf("%s %s verified=%v: %s, want %s (%s)", c.class, c.res.Category, c.res.Verified(), d.Action, c.want, d.Reason)
		}
	}
	if p.AllowsAll(Static) || p.AllowsAll(API) {
		t.Error("static and api deny something now")
	}
	d := p.Decide(Public, Result{Category: AICrawler, Name: "GPTBot"})
	if d.Action != Deny || !d.DryRun || d.Blocked() || !strings.Contains(d.Reason, "dry run") {
		t.Errorf("public dry run: %+v", d)
	}
	if d := p.Decide(Page, Result{Category: AICrawler}); d.DryRun || !d.Blocked() {
		t.Errorf("page is not in dry run: %+v", d)
	}
}

func TestPolicyDryRunEverywhere(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DryRun = true
	p := mustNew(t, cfg).Policy()
	for _, class := range RouteClasses {
		d := p.Decide(class, Result{Category: SecurityScanner, Name: "sqlmap"})
		if !d.DryRun || d.Blocked() {
			t.Errorf("%s: %+v", class, d)
		}
	}
}

func TestPolicyUnknownClassFailsClosed(t *testing.T) {
	p := mustNew(t, DefaultConfig()).Policy()
	if d := p.Decide("admin", Result{Category: Scraper}); d.Action != Deny {
		t.Errorf("unknown class: %+v", d)
	}
	if d := p.Decide(Page, Result{Category: "new_category"}); d.Action != Deny {
		t.Errorf("unknown category: %+v", d)
	}
	// A Result nobody filled in is not a person: judged as Automated.
	for _, class := range RouteClasses {
		want := Deny
		if class == Static || class == API {
			want = Allow
		}
		if d := p.Decide(class, Result{}); d.Action != want || d.Category != Automated || d.Reason != "automated client "+map[Action]string{Allow: "allowed", Deny: "denied"}[want]+" on "+string(class) {
			t.Errorf("%s, zero result: %+v", class, d)
		}
	}
	if d := p.Decide(Page, Result{Signals: NoUserAgent}); d.Action != Deny || d.Category != Automated {
		t.Errorf("empty category with signals: %+v", d)
	}
}

// TestVerificationMatters pins when a claim is worth checking: only when
// verified, spoofed and unchecked do not all take the same action.
func TestVerificationMatters(t *testing.T) {
	def := mustNew(t, DefaultConfig()).Policy()
	cfg := DefaultConfig()
	cfg.Routes = map[string]RouteConfig{
		"page": {Allow: []string{"search_engine"}, Deny: []string{"verified_search_engine"}}, // unchecked differs
		"auth": {Allow: []string{"verified_search_engine"}},
	}
	cfg.Categories = map[string]string{"spoofed": "allow"}
	conf := mustNew(t, cfg).Policy()
	cases := []struct {
		p     *Policy
		class RouteClass
		cat   Category
		want  bool
	}{
		{def, Page, SearchEngine, false},
		{def, Auth, SearchEngine, false},
		{def, "unknown", SearchEngine, false},
		{def, Public, SearchEngine, true},
		{def, Public, AICrawler, false},
		{def, Public, Other, false},
		{def, Public, SocialPreview, true}, // allowed, but spoofed is denied
		{def, Static, SearchEngine, false},
		{def, API, SearchEngine, false},
		{def, Health, SearchEngine, false},
		{conf, Page, SearchEngine, true},
		{conf, Auth, SearchEngine, true},
		{conf, Public, AICrawler, true}, // spoofed is allowed, ai_crawler denied
		{conf, Static, SearchEngine, false},
	}
	for _, c := range cases {
		if got := c.p.verificationMatters(c.class, c.cat); got != c.want {
			t.Errorf("verificationMatters(%s, %s) = %v, want %v", c.class, c.cat, got, c.want)
		}
	}
}

func TestDecisionReason(t *testing.T) {
	p := mustNew(t, DefaultConfig()).Policy()
	cases := []struct {
		class RouteClass
		res   Result
		want  string
	}{
		{Page, Result{Category: Spoofed, Name: "Googlebot", Vendor: "google", Verification: WrongDomain}, "spoofed google bot (wrong_domain) denied on page"},
		{Public, Result{Category: SearchEngine, Name: "Googlebot", Vendor: "google", Verification: ByDNS}, "verified search_engine (reverse_dns) allowed on public"},
		{Auth, Result{Category: Automated, Signals: NoUserAgent}, "automated client (no_user_agent) denied on auth"},
		{Page, Result{Category: AICrawler, Name: "GPTBot"}, "ai_crawler denied on page"},
		{Health, Result{Category: SecurityScanner}, "health routes are never blocked"},
	}
	for _, c := range cases {
		if d := p.Decide(c.class, c.res); d.Reason != c.want {
			t.Errorf("reason %q, want %q", d.Reason, c.want)
		}
	}
}
