package redact

import (
	"errors"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
)

// secretRule is one gitleaks rule, as the redactor runs it.
type secretRule struct {
	re      *regexp.Regexp
	group   int     // the capture group that holds the secret; 0 for the first non-empty one
	entropy float64 // minimum Shannon entropy of the secret; 0 for none
	allow   []allowlist
	prio    uint8
	words   []int // the rule's keywords
	// win bounds the rule's matches around its keywords, if windowed;
	// follow, if set, rules out keyword occurrences before the regex runs.
	win      window
	windowed bool
	follow   *follower
}

// secrets detects credentials with the rules of gitleaks' default
// configuration.
type secrets struct {
	rules    []secretRule
	always   []int // rules without keywords, run on every text
	keywords *keywordMatcher
	byWord   [][]int  // keyword index → rules it enables
	words    []string // keyword index → keyword
	wordLen  []int    // keyword index → its length
	global   []allowlist
}

// allowlist is a gitleaks allowlist as it applies to text without a path
// or commit. The redactor keeps its own copy so that gitleaks' parsed
// configuration (its stopword tries take megabytes) can be collected.
type allowlist struct {
	and     bool   // all criteria must hold, not any
	never   bool   // an AND allowlist with a path or commit criterion: never holds
	target  string // what the regexes test: "" (the secret), "match" or "line"
	regexes []*regexp.Regexp
	stop    *keywordMatcher // stopwords, lowercase
	stops   []string        // the stopwords, if they did not fit a matcher
}

// newAllowlists copies gitleaks allowlists.
func newAllowlists(lists []*config.Allowlist) []allowlist {
	out := make([]allowlist, 0, len(lists))
	for _, a := range lists {
		al := allowlist{
			and:     a.MatchCondition == config.AllowlistMatchAnd,
			target:  a.RegexTarget,
			regexes: a.Regexes,
		}
		al.never = al.and && (len(a.Paths) > 0 || len(a.Commits) > 0)
		if len(a.StopWords) > 0 {
			words := make([]string, len(a.StopWords))
			for i, w := range a.StopWords {
				words[i] = strings.ToLower(w)
			}
			if al.stop = newKeywordMatcher(words); al.stop == nil {
				al.stops = words
			}
		}
		if len(al.regexes) == 0 && al.stop == nil && al.stops == nil {
			continue // only paths or commits: never applies to text
		}
		out = append(out, al)
	}
	return out
}

// stopword reports whether secret contains one of the stopwords, compared
// in lowercase as gitleaks compares them.
func (a *allowlist) stopword(secret string) bool {
	s := strings.ToLower(secret)
	if a.stop != nil {
		return a.stop.contains(s)
	}
	for _, w := range a.stops {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func (a *allowlist) hasStopwords() bool { return a.stop != nil || a.stops != nil }

var errGitleaks = errors.New("redact: cannot load the gitleaks rules")

// loadSecrets parses gitleaks' embedded default configuration (its own
// loader compiles every rule's regular expression with Go's regexp) and
// keeps the rules that apply to text: rules that only match file paths,
// or whose regex applies only to certain file paths (a prompt has no path),
// and auxiliary rules that only feed composite ones, are left out.
func loadSecrets() (*secrets, error) {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(config.DefaultConfig)); err != nil {
		return nil, errors.Join(errGitleaks, err)
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		return nil, errors.Join(errGitleaks, err)
	}
	cfg, err := vc.Translate()
	if err != nil {
		return nil, errors.Join(errGitleaks, err)
	}
	sc := &secrets{global: newAllowlists(cfg.Allowlists)}
	var words []string
	wordIndex := map[string]int{}
	for _, id := range cfg.OrderedRules {
		r := cfg.Rules[id]
		if r.Regex == nil || r.Path != nil || r.SkipReport {
			continue
		}
		prio := prioSecret
		if strings.Contains(id, "generic") {
			prio = prioGenericSecret // as gitleaks, a specific rule wins
		}
		n := len(sc.rules)
		rule := secretRule{re: r.Regex, group: r.SecretGroup, entropy: r.Entropy, allow: newAllowlists(r.Allowlists), prio: prio}
		if len(r.Keywords) == 0 {
			sc.rules = append(sc.rules, rule)
			sc.always = append(sc.always, n)
			continue
		}
		lower := make([]string, len(r.Keywords))
		for i, k := range r.Keywords {
			k = strings.ToLower(k)
			lower[i] = k
			w, ok := wordIndex[k]
			if !ok {
				w = len(words)
				wordIndex[k] = w
				words = append(words, k)
				sc.byWord = append(sc.byWord, nil)
				sc.wordLen = append(sc.wordLen, len(k))
			}
			sc.byWord[w] = append(sc.byWord[w], n)
			rule.words = append(rule.words, w)
		}
		rule.win, rule.windowed = analyse(r.Regex.String(), lower)
		if rule.windowed {
			rule.follow = follows(r.Regex.String(), lower)
		}
		sc.rules = append(sc.rules, rule)
	}
	if len(sc.rules) == 0 {
		return nil, errGitleaks
	}
	sc.words = words
	sc.keywords = newKeywordMatcher(words)
	return sc, nil
}

// find appends a span for the secret of every finding in s. Only rules
// with a keyword present in s run, and windowed rules only around their
// keywords (see window.go); whole forces whole-text passes, for tests.
func (sc *secrets) find(s string, out []span, whole bool) []span {
	at := make([][]int, len(sc.byWord))
	sc.keywords.scan(s, sc.wordLen, at)
	run := make([]bool, len(sc.rules))
	for _, n := range sc.always {
		run[n] = true
	}
	for w, occ := range at {
		if len(occ) > 0 {
			for _, n := range sc.byWord[w] {
				run[n] = true
			}
		}
	}
	var starts []int
	var wins [][2]int
	for n, ok := range run {
		if !ok {
			continue
		}
		r := &sc.rules[n]
		if !r.windowed || whole {
			out = r.find(s, 0, len(s), sc.global, out)
			continue
		}
		starts = starts[:0]
		for _, w := range r.words {
			for _, k := range at[w] {
				if r.follow == nil || r.follow.ok(s, k+sc.wordLen[w]) {
					starts = append(starts, k)
				}
			}
		}
		if len(starts) == 0 {
			continue
		}
		slices.Sort(starts)
		wins = r.win.windows(s, starts, wins[:0])
		for _, w := range wins {
			out = r.find(s, w[0], w[1], sc.global, out)
		}
	}
	return out
}

// find applies one rule as gitleaks' detector does: the secret is the
// rule's secret group, or the first non-empty group, or the whole match;
// findings at or below the rule's entropy, or allowed by a global or rule
// allowlist, are dropped. Gitleaks' "gitleaks:allow" comment is not
// honoured: text in a prompt cannot opt out of redaction.
//
// It searches s[lo:hi] and reports offsets in s.
func (r *secretRule) find(s string, lo, hi int, global []allowlist, out []span) []span {
	for _, m := range r.re.FindAllStringSubmatchIndex(s[lo:hi], -1) {
		for i := range m {
			if m[i] >= 0 {
				m[i] += lo
			}
		}
		start, end := secretBounds(s, m, r.group)
		if start >= end {
			continue
		}
		secret := s[start:end]
		if r.entropy != 0 && shannon(secret) <= r.entropy {
			continue
		}
		if allowed(global, s, m, secret) || allowed(r.allow, s, m, secret) {
			continue
		}
		out = append(out, span{start: start, end: end, kind: Secret, prio: r.prio})
	}
	return out
}

// secretBounds returns the bounds of the secret in match m.
func secretBounds(s string, m []int, group int) (int, int) {
	if group > 0 {
		if 2*group+1 < len(m) {
			return m[2*group], m[2*group+1]
		}
		return 0, 0
	}
	for g := 1; 2*g+1 < len(m); g++ {
		if m[2*g] >= 0 && m[2*g+1] > m[2*g] {
			return m[2*g], m[2*g+1]
		}
	}
	start, end := m[0], m[1]
	for start < end && s[start] == '\n' {
		start++
	}
	for end > start && s[end-1] == '\n' {
		end--
	}
	return start, end
}

// allowed reports whether an allowlist excuses a finding, as gitleaks'
// checkFindingAllowed decides it for a fragment without a path or commit.
func allowed(lists []allowlist, s string, m []int, secret string) bool {
	for i := range lists {
		a := &lists[i]
		if a.never {
			continue
		}
		target := secret
		switch a.target {
		case "match":
			target = strings.Trim(s[m[0]:m[1]], "\n")
		case "line":
			target = lineOf(s, m[0], m[1])
		}
		regex := false
		if target != "" {
			for _, re := range a.regexes {
				// Gitleaks tests FindString(target) != "": an empty
				// match does not count.
				if loc := re.FindStringIndex(target); loc != nil && loc[1] > loc[0] {
					regex = true
					break
				}
			}
		}
		stop := a.hasStopwords() && a.stopword(secret)
		if a.and {
			if (len(a.regexes) == 0 || regex) && (!a.hasStopwords() || stop) {
				return true
			}
			continue
		}
		if regex || stop {
			return true
		}
	}
	return false
}

// lineOf returns the lines of s that s[start:end] spans.
func lineOf(s string, start, end int) string {
	i := strings.LastIndexByte(s[:start], '\n') + 1
	j := strings.IndexByte(s[end:], '\n')
	if j < 0 {
		return s[i:]
	}
	return s[i : end+j]
}

// shannon returns the Shannon entropy of s in bits per character, computed
// as gitleaks computes it (runes counted, divided by the length in bytes).
func shannon(s string) float64 {
	if s == "" {
		return 0
	}
	var ascii [128]int
	var other map[rune]int
	for _, r := range s {
		if r < 128 {
			ascii[r]++
			continue
		}
		if other == nil {
			other = map[rune]int{}
		}
		other[r]++
	}
	inv := 1 / float64(len(s))
	e := 0.0
	term := func(n int) {
		if n > 0 {
			f := float64(n) * inv
			e -= f * math.Log2(f)
		}
	}
	for _, n := range ascii {
		term(n)
	}
	for _, n := range other {
		term(n)
	}
	return e
}
