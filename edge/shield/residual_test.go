package shield

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	"github.com/corazawaf/coraza/v3/experimental"
	"github.com/corazawaf/coraza/v3/types"
)

var update = flag.Bool("update", false, "rewrite class_rules.txt from the analysis")

// ruleVerdict is the analysis of one detection rule.
type ruleVerdict struct {
	rule   crsRule
	kind   string // "dead", "cookie" or "rest" (see residualKinds)
	reason string
}

// analyseRules runs the analysis on every detection rule (those with a
// paranoia-level tag), on all cores.
func analyseRules(tb testing.TB) []ruleVerdict {
	tb.Helper()
	rules, err := readCRSRules()
	if err != nil {
		tb.Fatal(err)
	}
	var det []crsRule
	for _, r := range rules {
		if r.pl > 0 {
			det = append(det, r)
		}
	}
	out := make([]ruleVerdict, len(det))
	a := newAnalyzer()
	work := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range work {
				out[i] = analyseRule(a, det[i])
			}
		})
	}
	for i := range det {
		work <- i
	}
	close(work)
	wg.Wait()
	sort.Slice(out, func(i, j int) bool { return out[i].rule.id < out[j].rule.id })
	return out
}

// analyseRule: a rule is dead when one of its links cannot match. A live
// rule is a cookie rule when its first link can match only on the Cookie
// header's content, a rest rule when only on other parts, both when on
// either; in all three its later links may look only at what the first
// matched, so that it matches the whole request exactly when it matches
// the cookie part or the rest. A rule that does not split so is kept whole
// ("whole": it runs on the whole request).
func analyseRule(a *analyzer, r crsRule) ruleVerdict {
	var reasons []string
	var cookie, other, linked bool
	for i, l := range r.links {
		ok, why, sources := a.linkCanFire(l)
		reasons = append(reasons, fmt.Sprintf("link %d: %s", i, why))
		if !ok {
			return ruleVerdict{rule: r, kind: "dead", reason: reasons[len(reasons)-1]}
		}
		if i == 0 {
			cookie = slices.ContainsFunc(sources, func(s string) bool { return cookieSources[s] })
			other = slices.ContainsFunc(sources, func(s string) bool { return !cookieSources[s] })
		} else if !matchedOnly(l.vars) {
			linked = true
		}
	}
	kind := "both"
	switch {
	case linked && cookie:
		kind = "whole"
	case linked || !cookie:
		kind = "rest"
	case !other:
		kind = "cookie"
	}
	return ruleVerdict{rule: r, kind: kind, reason: strings.Join(reasons, "; ")}
}

// cookieAggregate reports whether a target's value depends on the
// presence of the Cookie header (a count or a list of names), which the
// rest rules run without.
func cookieAggregate(target string) bool {
	t := strings.ToUpper(strings.TrimPrefix(target, "!"))
	name, key, hasKey := strings.Cut(strings.TrimPrefix(t, "&"), ":")
	switch {
	case name == "REQUEST_HEADERS_NAMES" || name == "REQUEST_COOKIES_NAMES" && strings.HasPrefix(t, "&"):
		return true
	case strings.HasPrefix(t, "&") && name == "REQUEST_COOKIES":
		return true
	case strings.HasPrefix(t, "&") && name == "REQUEST_HEADERS":
		return !hasKey || key == "COOKIE" || strings.HasPrefix(key, "/")
	}
	return false
}

// cookieSources are the grammars that carry the Cookie header's content.
var cookieSources = map[string]bool{"cookie value": true, "cookie name": true, "Cookie": true}

// matchedOnly reports whether a chained link's targets are only what the
// first link matched (and its captures), apart from variables that are
// empty in the class.
func matchedOnly(vars string) bool {
	for _, t := range splitTargets(vars) {
		name, key, _ := strings.Cut(strings.ToUpper(t), ":")
		switch {
		case name == "MATCHED_VAR" || name == "MATCHED_VARS" || name == "MATCHED_VAR_NAME" || name == "MATCHED_VARS_NAMES":
		case name == "TX" && len(key) == 1 && key[0] >= '0' && key[0] <= '9':
		case !strings.HasPrefix(t, "!") && !strings.HasPrefix(t, "&") && len(classVariable(t, nil).grammars) == 0 && !classVariable(t, nil).unknown:
			// empty in the class (XML, ARGS…)
		case strings.HasPrefix(t, "!"):
		default:
			return false
		}
	}
	return true
}

// TestClassRules reruns the analysis and compares its verdicts with
// class_rules.txt, from which the pre-filter builds its residual rules.
func TestClassRules(t *testing.T) {
	t.Parallel()
	vs := analyseRules(t)
	var lines []string
	count := map[string]int{}
	for _, v := range vs {
		if v.kind == "rest" || v.kind == "both" {
			for _, l := range v.rule.links {
				for _, target := range splitTargets(l.vars) {
					if cookieAggregate(target) {
						t.Errorf("rule %d (%s) reads %s, which the Cookie header changes: it cannot run without the cookies", v.rule.id, v.kind, target)
					}
				}
			}
		}
		count[v.kind]++
		if v.kind != "dead" {
			t.Logf("%s %d (paranoia level %d): %s", v.kind, v.rule.id, v.rule.pl, v.reason)
		}
		lines = append(lines, strconv.Itoa(v.rule.id)+" "+v.kind)
	}
	t.Logf("%d detection rules: %d dead for the class, %d cookie, %d rest, %d both, %d whole",
		len(vs), count["dead"], count["cookie"], count["rest"], count["both"], count["whole"])
	want := strings.Join(lines, "\n") + "\n"
	if *update {
		if err := os.WriteFile("class_rules.txt", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if classRules != want {
		t.Fatalf("class_rules.txt differs from the analysis: go test -run TestClassRules -update")
	}
}

// TestRuleReaderAgreesWithCoraza: the analysis reads the rule files itself;
// it must see the rules Coraza compiles, each as Coraza saw its text (the
// observer gives a rule's first statement as Coraza joined it).
func TestRuleReaderAgreesWithCoraza(t *testing.T) {
	t.Parallel()
	ours, err := readCRSRules()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int]crsRule{}
	for _, r := range ours {
		if r.id != 0 {
			byID[r.id] = r
		}
	}
	d, err := Directives(Config{})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[int]string{}
	cfg := experimental.WAFConfigWithRuleObserver(coraza.NewWAFConfig().WithRootFS(coreruleset.FS).WithDirectives(d),
		func(m types.RuleMetadata) {
			mu.Lock()
			defer mu.Unlock()
			if strings.Contains(m.File(), "REQUEST-") && m.ID() != 0 {
				seen[m.ID()] = m.Raw()
			}
		})
	if _, err := coraza.NewWAF(cfg); err != nil {
		t.Fatal(err)
	}
	if len(seen) < 400 {
		t.Fatalf("the observer saw %d rules", len(seen))
	}
	for id, raw := range seen {
		r, ok := byID[id]
		if !ok {
			t.Errorf("rule %d is compiled by Coraza but not read by the analysis", id)
			continue
		}
		l, _, err := parseStatement(raw)
		if err != nil || l.vars != r.links[0].vars || l.op != r.links[0].op || !slices.Equal(l.transforms, r.links[0].transforms) {
			t.Errorf("rule %d: read %q %q %v, Coraza's text gives %q %q %v (%v)", id,
				r.links[0].vars, r.links[0].op, r.links[0].transforms, l.vars, l.op, l.transforms, err)
		}
	}
	for id, r := range byID {
		if _, ok := seen[id]; !ok && !slices.Contains([]int{905100, 905110}, id) && r.pl > 0 {
			t.Errorf("rule %d is read by the analysis but not compiled by Coraza", id)
		}
	}
}
