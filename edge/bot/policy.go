package bot

// RouteClass is the kind of route a request is for; the server maps each
// route to one.
type RouteClass string

// Route classes.
const (
	Page   RouteClass = "page"   // browser HTML pages
	Auth   RouteClass = "auth"   // sign-in, sign-up, reset: pages and APIs
	API    RouteClass = "api"    // /api/… and /v1/…: judged by their key
	Public RouteClass = "public" // public note links
	Static RouteClass = "static" // assets
	Health RouteClass = "health" // never blocked
)

// RouteClasses lists the classes a policy applies to (all but Health).
var RouteClasses = []RouteClass{Page, Auth, API, Public, Static}

// Action is what the policy does with a request.
type Action string

// Actions.
const (
	Allow Action = "allow"
	Deny  Action = "deny"
)

// Policy maps a route class and a classification to an action. It is
// immutable and safe for concurrent use.
type Policy struct {
	rules    map[RouteClass]map[string]Action // selector → action
	dryRun   map[RouteClass]bool
	allowAll map[RouteClass]bool
}

// defaultRules returns the defaults documented on Config.
func defaultRules() map[RouteClass]map[string]Action {
	rules := map[RouteClass]map[string]Action{}
	for _, class := range RouteClasses {
		action := Deny
		if class == Static || class == API {
			action = Allow
		}
		m := map[string]Action{}
		for _, c := range BotCategories {
			m[string(c)] = action
		}
		rules[class] = m
	}
	rules[Public][string(SocialPreview)] = Allow
	rules[Public][verifiedPrefix+string(SearchEngine)] = Allow
	return rules
}

// newPolicy builds the policy of a validated config: the defaults, then
// allow_headless, then the categories setting, then each route's lists.
func newPolicy(c Config) *Policy {
	p := &Policy{rules: defaultRules(), dryRun: map[RouteClass]bool{}, allowAll: map[RouteClass]bool{}}
	for _, class := range RouteClasses {
		m := p.rules[class]
		if c.AllowHeadless {
			m[string(Headless)] = Allow
		}
		for sel, a := range c.Categories {
			m[sel] = Action(a)
		}
		rc := c.Routes[string(class)]
		for _, sel := range rc.Allow {
			m[sel] = Allow
		}
		for _, sel := range rc.Deny {
			m[sel] = Deny
		}
		p.dryRun[class] = c.DryRun || rc.DryRun
		p.allowAll[class] = true
		for _, a := range m {
			if a != Allow {
				p.allowAll[class] = false
			}
		}
	}
	p.allowAll[Health] = true
	return p
}

// AllowsAll reports whether class allows every category, so that its
// requests need not be classified at all (health, and by default static
// and api).
func (p *Policy) AllowsAll(class RouteClass) bool { return p.allowAll[class] }

// Decide returns the action for a request of class classified as res. An
// unknown class is judged as a page, and an empty or unknown category as
// Automated or denied (fail closed). A verified bot takes the action of
// "verified_" + its category when one is set, else that of its category.
func (p *Policy) Decide(class RouteClass, res Result) Decision {
	d := Decision{
		Class: class, Category: res.Category, Name: res.Name, Vendor: res.Vendor,
		Verified: res.Verified(), Verification: res.Verification, Signals: res.Signals,
		Action: Allow,
	}
	if d.Category == "" {
		d.Category = Automated // a Result nobody classified: not a person
	}
	switch {
	case class == Health:
		d.Reason = "health routes are never blocked"
		return d
	case d.Category == Human:
		d.Reason = "no bot signature or automation signal"
		return d
	}
	rules, ok := p.rules[class]
	if !ok {
		rules = p.rules[Page]
	}
	d.DryRun = p.dryRun[class] || (!ok && p.dryRun[Page])
	d.Action = action(rules, d.Category, d.Verified)
	d.Reason = reason(d)
	return d
}

// action is what rules do with a client of category c: a verified bot
// takes the action of "verified_" + c when one is set; an unknown
// category is denied (fail closed).
func action(rules map[string]Action, c Category, verified bool) Action {
	if verified {
		if a, ok := rules[verifiedPrefix+string(c)]; ok {
			return a
		}
	}
	if a, ok := rules[string(c)]; ok {
		return a
	}
	return Deny
}

// verificationMatters reports whether checking a claim of a bot of
// category c can change the action on class: whether verified, spoofed and
// unchecked (decided on c) do not all take the same action. When they do,
// the claim need not be checked.
func (p *Policy) verificationMatters(class RouteClass, c Category) bool {
	if p.AllowsAll(class) || class == Health {
		return false
	}
	rules, ok := p.rules[class]
	if !ok {
		rules = p.rules[Page]
	}
	verified := action(rules, c, true)
	return verified != action(rules, Spoofed, false) || verified != action(rules, c, false)
}

// reason explains d from its fields, which come from tables and enums,
// never from the request.
func reason(d Decision) string {
	subject := string(d.Category)
	switch {
	case d.Category == Spoofed:
		subject = "spoofed " + d.Vendor + " bot (" + d.Verification.String() + ")"
	case d.Verified:
		subject = "verified " + subject + " (" + d.Verification.String() + ")"
	case d.Category == Automated && d.Signals != 0:
		subject = "automated client (" + d.Signals.String() + ")"
	case d.Category == Automated:
		subject = "automated client"
	}
	verb := " allowed on "
	if d.Action == Deny {
		verb = " denied on "
	}
	r := subject + verb + string(d.Class)
	if d.DryRun && d.Action == Deny {
		r += " (dry run: not blocked)"
	}
	return r
}
