package bot

import (
	"fmt"
	"math/bits"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
)

// MatchWindow is the number of User-Agent bytes the matcher reads, which
// bounds its work whatever the header size. Every example User-Agent of
// the signature data is matched within it (the longest is under 300
// bytes), and a bot that hid its name past it could as well send a
// browser's User-Agent.
const MatchWindow = 512

// maxSignatures bounds the table so that a candidate set fits a fixed
// bitset on the stack.
const maxSignatures = 64 * 64

// sigSet is a set of signature indexes.
type sigSet [maxSignatures / 64]uint64

func (s *sigSet) add(i int32)      { s[i>>6] |= 1 << (i & 63) }
func (s *sigSet) has(i int32) bool { return s[i>>6]&(1<<(i&63)) != 0 }

// Matcher finds the signatures that match a User-Agent. It is built once
// and is safe for concurrent use.
//
// Running every regexp on every request costs over 100 µs for the 1,500
// signatures (BenchmarkMatch). Instead each pattern is reduced to a set of literal
// factors, one of which must occur in any text the pattern matches
// (Googlebot\/ → "googlebot/"; [cC]laude[bB]ot → "claudebot"). One
// Aho-Corasick pass over the lower-cased User-Agent finds the factors
// present, and only the patterns owning one of them (plus any with no
// usable factor, none in the vendored data) are tried: as substring
// searches when the pattern is a small set of literals, else as regexps.
// A browser's User-Agent usually leaves no candidate at all.
type Matcher struct {
	sigs   []Signature
	res    []*regexp.Regexp
	lits   [][]string // signature index → its literal set, or nil: run res
	ac     *automaton
	owners [][]int32 // factor id → signature indexes
	always []int32   // signatures with no usable factor: run every time
	bad    []Incompatible
}

var defaultMatcher = sync.OnceValues(func() (*Matcher, error) {
	sigs, res, bad, err := loadSignatures()
	if err != nil {
		return nil, err
	}
	m, err := newMatcher(sigs, res)
	if err != nil {
		return nil, err
	}
	m.bad = bad
	return m, nil
})

// DefaultMatcher returns the matcher over the vendored signatures and our
// supplement, compiling it on first use (tens of milliseconds).
func DefaultMatcher() (*Matcher, error) { return defaultMatcher() }

// newMatcher compiles the prefilter for sigs, whose regexps are res.
func newMatcher(sigs []Signature, res []*regexp.Regexp) (*Matcher, error) {
	if len(sigs) > maxSignatures {
		return nil, fmt.Errorf("bot: %d signatures, more than %d", len(sigs), maxSignatures)
	}
	m := &Matcher{sigs: sigs, res: res, lits: make([][]string, len(sigs))}
	ids := map[string]int32{}
	var strs []string
	lowered := make([]string, len(browserUAs))
	for i, ua := range browserUAs {
		lowered[i] = lowerASCII(ua)
	}
	for i, s := range sigs {
		parsed, err := syntax.Parse(s.Pattern, syntax.Perl)
		if err != nil { // compiled before, so this cannot happen
			return nil, fmt.Errorf("bot: signature %d: %w", i, err)
		}
		parsed = parsed.Simplify()
		if lits, ok := literalSet(parsed); ok {
			m.lits[i] = lits
		}
		fs, ok := factors(parsed)
		if !ok {
			m.always = append(m.always, int32(i))
			continue
		}
		for _, f := range fs {
			f = window(f, lowered)
			id, seen := ids[f]
			if !seen {
				id = int32(len(strs))
				ids[f] = id
				strs = append(strs, f)
				m.owners = append(m.owners, nil)
			}
			m.owners[id] = append(m.owners[id], int32(i))
		}
	}
	if len(strs) > 0 {
		ac, err := newAutomaton(strs)
		if err != nil {
			return nil, err
		}
		m.ac = ac
	}
	return m, nil
}

// maxFactor is the longest prefilter string. Any substring of a required
// literal is required too, so a long literal can be cut to a window of it;
// shorter strings make a much smaller automaton (about 7,000 states
// instead of 14,000 for the vendored data) for a little selectivity.
const maxFactor = 8

// window returns the first maxFactor-byte window of f that occurs in no
// common browser User-Agent (lowered), so that browsers, the common case,
// trigger as few regexps as possible; or f's prefix if every window does.
func window(f string, lowered []string) string {
	if len(f) <= maxFactor {
		return f
	}
	for i := 0; i+maxFactor <= len(f); i++ {
		w := f[i : i+maxFactor]
		if !slices.ContainsFunc(lowered, func(ua string) bool { return strings.Contains(ua, w) }) {
			return w
		}
	}
	return f[:maxFactor]
}

// Signatures returns the compiled signatures, in table order (vendored
// data first, then the supplement). The slice must not be modified.
func (m *Matcher) Signatures() []Signature { return m.sigs }

// Incompatible returns the vendored patterns that did not compile under
// Go's regexp syntax and were left out.
func (m *Matcher) Incompatible() []Incompatible { return m.bad }

// Match returns the first signature, in table order, that matches the
// first MatchWindow bytes of ua.
func (m *Matcher) Match(ua string) (Signature, bool) {
	i := m.first(ua, nil)
	if i < 0 {
		return Signature{}, false
	}
	return m.sigs[i], true
}

// first returns the index of the first signature, in table order, of
// those in prio that matches the first MatchWindow bytes of ua; or else of
// the first that matches; or -1. Each candidate runs at most once and the
// search stops at the answer, so a User-Agent packed with signature text
// does not make every candidate run.
func (m *Matcher) first(ua string, prio *sigSet) int32 {
	if len(ua) > MatchWindow {
		ua = ua[:MatchWindow]
	}
	var cand sigSet
	for _, i := range m.always {
		cand.add(i)
	}
	m.prefilter(&cand, ua)
	if prio != nil {
		for w := range cand {
			set := cand[w] & prio[w]
			cand[w] &^= set // tried here, not again below
			if i := m.firstIn(w, set, ua); i >= 0 {
				return i
			}
		}
	}
	for w, set := range cand {
		if i := m.firstIn(w, set, ua); i >= 0 {
			return i
		}
	}
	return -1
}

// firstIn returns the first signature of word w of a set that matches ua,
// or -1.
func (m *Matcher) firstIn(w int, set uint64, ua string) int32 {
	for set != 0 {
		i := int32(w<<6 + bits.TrailingZeros64(set))
		set &= set - 1
		if m.matchOne(i, ua) {
			return i
		}
	}
	return -1
}

// matchOne reports whether signature i matches ua.
func (m *Matcher) matchOne(i int32, ua string) bool {
	lits := m.lits[i]
	if lits == nil {
		return m.res[i].MatchString(ua)
	}
	for _, l := range lits {
		if strings.Contains(ua, l) {
			return true
		}
	}
	return false
}

// prefilter marks in cand the signatures owning a factor that occurs in
// the lower-cased ua (the automaton's byte classes fold ASCII case).
func (m *Matcher) prefilter(cand *sigSet, ua string) {
	a := m.ac
	if a == nil {
		return
	}
	var st uint16
	for i := 0; i < len(ua); i++ {
		st = a.delta[int(st)*a.nclass+int(a.class[ua[i]])]
		lo, hi := a.outStart[st], a.outStart[st+1]
		for _, f := range a.outs[lo:hi] {
			for _, s := range m.owners[f] {
				cand.add(s)
			}
		}
	}
}

// PrefilterBytes is the memory held by the prefilter's tables; the
// compiled regexps come on top (BenchmarkMatcherSize measures the whole).
func (m *Matcher) PrefilterBytes() int {
	n := 0
	if m.ac != nil {
		n += m.ac.sizeBytes()
	}
	for _, o := range m.owners {
		n += 24 + 4*len(o)
	}
	return n + 4*len(m.always)
}
