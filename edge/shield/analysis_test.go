package shield

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// The rule half of the pre-filter analysis: for every CRS detection rule,
// can it match any request of the pre-filter's class? A rule that cannot
// is dead for the class; the others are the residual rules the pre-filter
// still runs (prefilter.go). The analysis is sound where it says "dead"
// (every approximation leans to "may fire") and is checked against Coraza
// by TestRuleReaderAgreesWithCoraza, the differential tests and the fuzz
// target.

// values is the set of values a variable takes in the class: a grammar
// (whole-string regular expression), or unknown (anything).
type values struct {
	grammars []string
	unknown  bool
}

// classVariable returns what one rule target (NAME, NAME:key, &NAME) is in
// the class, minus the header exclusions given.
func classVariable(target string, excluded map[string]bool) values {
	count := strings.HasPrefix(target, "&")
	name, key, hasKey := strings.Cut(strings.TrimPrefix(target, "&"), ":")
	name = strings.ToUpper(name)
	headers := classHeaders()
	if count {
		return classCount(name, key, hasKey, headers)
	}
	switch name {
	case "REQUEST_HEADERS":
		var gs []string
		for h, g := range headers {
			lh := strings.ToLower(h)
			if excluded[lh] || hasKey && !keyMatches(key, lh) {
				continue
			}
			gs = append(gs, g)
		}
		return values{grammars: gs}
	case "REQUEST_HEADERS_NAMES":
		var names []string
		for h := range headers {
			names = append(names, regexp.QuoteMeta(h))
		}
		sort.Strings(names)
		return values{grammars: []string{`(?i:` + strings.Join(names, "|") + `)`}}
	case "REQUEST_COOKIES":
		return values{grammars: []string{cookieValue}}
	case "REQUEST_COOKIES_NAMES":
		return values{grammars: []string{cookieName}}
	case "REQUEST_FILENAME", "REQUEST_URI", "REQUEST_URI_RAW":
		return values{grammars: []string{grammarPath}}
	case "REQUEST_BASENAME":
		return values{grammars: []string{grammarBasename}}
	case "REQUEST_METHOD":
		return values{grammars: []string{strings.Join(classMethods, "|")}}
	case "REQUEST_PROTOCOL":
		return values{grammars: []string{protocolGrammar()}}
	case "REQUEST_LINE":
		return values{grammars: []string{`(?:` + strings.Join(classMethods, "|") + `) ` + grammarPath + ` (?:` + protocolGrammar() + `)`}}
	case "QUERY_STRING", "REQUEST_BODY":
		return values{grammars: []string{``}}
	case "TX":
		return classTX(key)
	case "REQUEST_BODY_LENGTH":
		return values{grammars: []string{`0?`}}
	case "ARGS", "ARGS_GET", "ARGS_POST", "ARGS_NAMES", "ARGS_GET_NAMES", "ARGS_POST_NAMES", "ARGS_PATH",
		"FILES", "FILES_NAMES", "FILES_SIZES", "FILES_TMPNAMES", "FILES_TMP_CONTENT", "XML",
		"MULTIPART_PART_HEADERS", "MULTIPART_FILENAME", "MULTIPART_NAME", "REQUEST_COOKIES_RAW":
		return values{} // empty: no query, no body
	}
	return values{unknown: true}
}

// classTX knows the tx variables that rules set from the class's own
// parts: 920440 the basename's extension, 920450 and 920451 the header
// names. The others are unknown.
func classTX(key string) values {
	switch strings.ToLower(key) {
	case "extension":
		return values{grammars: []string{`\.(?:` + staticExts + `)/`}}
	case "/^header_name_920450_/", "/^header_name_920451_/":
		var names []string
		for h := range classHeaders() {
			names = append(names, regexp.QuoteMeta(strings.ToLower(h)))
		}
		sort.Strings(names)
		return values{grammars: []string{`/(?:` + strings.Join(names, "|") + `)/`}}
	}
	return values{unknown: true}
}

// classCount is what &NAME[:key] counts in the class.
func classCount(name, key string, hasKey bool, headers map[string]string) values {
	switch name {
	case "REQUEST_HEADERS":
		if !hasKey || strings.HasPrefix(key, "/") {
			break
		}
		for h := range headers {
			if strings.EqualFold(h, key) {
				if slices.Contains(requiredHeaders, h) || h == "Host" {
					return values{grammars: []string{`1`}}
				}
				return values{grammars: []string{`[01]`}}
			}
		}
		return values{grammars: []string{`0`}}
	case "ARGS", "ARGS_GET", "ARGS_POST", "ARGS_NAMES", "ARGS_GET_NAMES", "ARGS_POST_NAMES", "FILES", "FILES_NAMES",
		"XML", "MULTIPART_PART_HEADERS":
		return values{grammars: []string{`0`}}
	}
	return values{grammars: []string{`[0-9]{1,6}`}}
}

// keyMatches reports whether a header name (lower case) is selected by a
// target key: a name, compared without case, or a /regular expression/.
func keyMatches(key, lname string) bool {
	if len(key) > 1 && key[0] == '/' && key[len(key)-1] == '/' {
		re, err := regexp.Compile("(?i)" + key[1:len(key)-1])
		return err != nil || re.MatchString(lname)
	}
	return strings.EqualFold(key, lname)
}

func protocolGrammar() string {
	ps := make([]string, len(classProtocols))
	for i, p := range classProtocols {
		ps[i] = regexp.QuoteMeta(p)
	}
	return strings.Join(ps, "|")
}

// classHeaders are the headers of the class and their grammars, Host
// included (Go moves it out of Header; the shield adds it back).
func classHeaders() map[string]string {
	m := map[string]string{"Host": grammarHost}
	for h, g := range headerGrammars {
		m[h] = g
	}
	return m
}

// splitTargets splits "A|B:/x|y/|!C" at the bars outside /…/ keys.
func splitTargets(s string) []string {
	var out []string
	start, inRe := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '/' && i > 0 && (s[i-1] == ':' || inRe && (i+1 == len(s) || s[i+1] == '|')):
			inRe = !inRe
		case s[i] == '|' && !inRe:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// linkCanFire reports whether one link of a rule may match in the class,
// why, and the sources it may match on: the names of the grammars (a
// header name, "cookie value", "path"…) or the variable when it is not
// fixed by the class.
func (a *analyzer) linkCanFire(l crsLink) (bool, string, []string) {
	if l.vars == "" {
		return true, "an action", []string{"action"}
	}
	op := parseOperator(l.op)
	if op.never {
		return false, "@noMatch", nil
	}
	excluded := map[string]bool{}
	var targets []string
	for _, t := range splitTargets(l.vars) {
		if strings.HasPrefix(t, "!") {
			if n, k, ok := strings.Cut(t[1:], ":"); ok && strings.EqualFold(n, "REQUEST_HEADERS") && !strings.HasPrefix(k, "/") {
				excluded[strings.ToLower(k)] = true
			}
			continue
		}
		targets = append(targets, t)
	}
	chains := [][]string{l.transforms}
	if l.multiMatch {
		chains = nil
		for i := 0; i <= len(l.transforms); i++ {
			chains = append(chains, l.transforms[:i])
		}
	}
	var sources, reasons []string
	for _, t := range targets {
		v := classVariable(t, excluded)
		if v.unknown {
			sources = append(sources, t)
			reasons = append(reasons, t+" is not fixed by the class")
			continue
		}
	grammars:
		for _, g := range v.grammars {
			for _, chain := range chains {
				if ok, why := a.canFire(g, chain, op); ok {
					sources = appendUnique(sources, grammarName(g))
					reasons = append(reasons, t+" ("+grammarName(g)+"): "+why)
					continue grammars
				}
			}
		}
	}
	if len(sources) == 0 {
		return false, "no target can match", nil
	}
	return true, strings.Join(reasons, ", "), sources
}

// analyzer caches compiled programs across rules.
type analyzer struct {
	mu       sync.Mutex
	machines map[string]*machine
}

func newAnalyzer() *analyzer { return &analyzer{machines: map[string]*machine{}} }

func (a *analyzer) machine(re string) *machine {
	a.mu.Lock()
	defer a.mu.Unlock()
	if m, ok := a.machines[re]; ok {
		return m
	}
	m, err := compileMachine(re)
	if err != nil {
		panic(fmt.Sprintf("compiling %.100s: %v", re, err))
	}
	a.machines[re] = m
	return m
}

// canFire decides one (grammar, transformation chain, operator) case.
func (a *analyzer) canFire(grammar string, chain []string, op operator) (bool, string) {
	if strs, finite := enumerate(grammar, 4096); finite {
		return finiteCanFire(strs, chain, op)
	}
	if op.re == "" || op.negated {
		return true, "@" + op.name + " on an unbounded grammar"
	}
	g := a.machine(`(?:` + grammar + `)`)
	model, ok := modelFor(chain, g.alphabet())
	if !ok {
		return true, fmt.Sprintf("transformations %v not modelled", chain)
	}
	if slices.ContainsFunc(chain, func(t string) bool { return strings.HasPrefix(strings.ToLower(t), "normali") }) && !pathSafe(g) {
		return true, "normalizePath on a grammar with dot segments"
	}
	r, err := compileMachine(`(?s:.)*?(?:` + op.re + `)`)
	if err != nil {
		return true, "operator does not compile: " + err.Error()
	}
	return canMatch(g, r, model)
}

// grammarName names a grammar for reasons.
func grammarName(g string) string {
	for h, hg := range classHeaders() {
		if hg == g {
			return h
		}
	}
	switch g {
	case grammarPath:
		return "path"
	case grammarBasename:
		return "basename"
	case cookieName:
		return "cookie name"
	case cookieValue:
		return "cookie value"
	}
	if len(g) > 30 {
		return g[:30] + "…"
	}
	return g
}
