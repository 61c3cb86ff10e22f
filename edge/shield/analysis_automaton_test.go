package shield

import (
	"regexp/syntax"
	"sync"
	"unicode"
)

// The automaton half of the pre-filter analysis: can a CRS operator's
// regular expression match (somewhere in) the transformed form of a string
// of a grammar? Both are compiled to Go's regexp programs (Coraza's @rx is
// Go's regexp), and the product of the two is searched breadth-first, one
// input byte at a time. The search is exact for the grammar and the rule,
// and over-approximates the transformations (see tmodel): a "no" is a
// proof, a "yes" may be a false alarm, which only costs speed.

// ctxClass is what an empty-width assertion needs to know about a
// neighbouring position.
type ctxClass uint8

const (
	cEdge  ctxClass = iota // beginning or end of the text
	cNL                    // '\n'
	cWord                  // [0-9A-Za-z_]
	cOther                 // anything else
)

func classOf(b byte) ctxClass {
	switch {
	case b == '\n':
		return cNL
	case syntax.IsWordChar(rune(b)):
		return cWord
	}
	return cOther
}

// repr is a rune standing for the class in syntax.EmptyOpContext.
func (c ctxClass) repr() rune {
	switch c {
	case cNL:
		return '\n'
	case cWord:
		return 'a'
	case cOther:
		return ' '
	}
	return -1
}

// machine is a compiled program with memoised epsilon closures.
type machine struct {
	prog    *syntax.Prog
	mu      sync.Mutex
	closure map[closureKey]closureVal
}

type closureKey struct {
	pc         uint32
	prev, next ctxClass
}

type closureVal struct {
	runes []uint32 // rune instructions reached
	match bool     // Match reached
}

func compileMachine(re string) (*machine, error) {
	p, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return nil, err
	}
	prog, err := syntax.Compile(p.Simplify())
	if err != nil {
		return nil, err
	}
	return &machine{prog: prog, closure: map[closureKey]closureVal{}}, nil
}

// close follows the empty transitions from pc between a character of class
// prev and one of class next.
func (m *machine) close(pc uint32, prev, next ctxClass) closureVal {
	k := closureKey{pc, prev, next}
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.closure[k]; ok {
		return v
	}
	ctx := syntax.EmptyOpContext(prev.repr(), next.repr())
	var v closureVal
	seen := map[uint32]bool{}
	stack := []uint32{pc}
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] {
			continue
		}
		seen[pc] = true
		in := &m.prog.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, in.Out, in.Arg)
		case syntax.InstCapture, syntax.InstNop:
			stack = append(stack, in.Out)
		case syntax.InstEmptyWidth:
			if syntax.EmptyOp(in.Arg)&^ctx == 0 {
				stack = append(stack, in.Out)
			}
		case syntax.InstMatch:
			v.match = true
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			v.runes = append(v.runes, pc)
		}
	}
	m.closure[k] = v
	return v
}

// step returns the states after consuming b from pc.
func (m *machine) step(pc uint32, prev ctxClass, b byte) (next []uint32, matchBefore bool) {
	c := m.close(pc, prev, classOf(b))
	for _, r := range c.runes {
		if m.prog.Inst[r].MatchRune(rune(b)) {
			next = append(next, m.prog.Inst[r].Out)
		}
	}
	return next, c.match
}

// alphabet returns the ASCII bytes some rune instruction of m accepts.
func (m *machine) alphabet() []byte {
	var out []byte
	for b := 0; b < 128; b++ {
		for i := range m.prog.Inst {
			in := &m.prog.Inst[i]
			switch in.Op {
			case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
				if in.MatchRune(rune(b)) {
					out = append(out, byte(b))
					goto next
				}
			}
		}
	next:
	}
	return out
}

// canFinish returns the pcs from which Match is reachable (assertions
// taken as satisfiable).
func (m *machine) canFinish() map[uint32]bool {
	rev := map[uint32][]uint32{}
	var ends []uint32
	for i := range m.prog.Inst {
		in := &m.prog.Inst[i]
		pc := uint32(i)
		switch in.Op {
		case syntax.InstMatch:
			ends = append(ends, pc)
		case syntax.InstAlt, syntax.InstAltMatch:
			rev[in.Out] = append(rev[in.Out], pc)
			rev[in.Arg] = append(rev[in.Arg], pc)
		case syntax.InstFail:
		default:
			rev[in.Out] = append(rev[in.Out], pc)
		}
	}
	ok := map[uint32]bool{}
	for len(ends) > 0 {
		pc := ends[len(ends)-1]
		ends = ends[:len(ends)-1]
		if ok[pc] {
			continue
		}
		ok[pc] = true
		ends = append(ends, rev[pc]...)
	}
	return ok
}

// reachableWith reports whether Match is reachable from Start using only
// rune instructions that accept a byte of alpha (assertions as free): a
// cheap necessary condition for the full search.
func (m *machine) reachableWith(alpha []byte) bool {
	seen := map[uint32]bool{}
	stack := []uint32{uint32(m.prog.Start)}
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] {
			continue
		}
		seen[pc] = true
		in := &m.prog.Inst[pc]
		switch in.Op {
		case syntax.InstMatch:
			return true
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, in.Out, in.Arg)
		case syntax.InstFail:
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			for _, b := range alpha {
				if in.MatchRune(rune(b)) {
					stack = append(stack, in.Out)
					break
				}
			}
		default:
			stack = append(stack, in.Out)
		}
	}
	return false
}

// tmodel maps each input byte to the outputs a transformation chain may
// make of it ("" when it may vanish). ok false means the chain does
// something to the grammar's strings that is not modelled.
type tmodel [128][]string

// productState is a position in the search: the grammar's and the rule's
// program counters and the class of the byte each saw last.
type productState struct {
	g, r         uint32
	gPrev, rPrev ctxClass
}

// maxProductStates bounds one search; past it the answer is "may match".
const maxProductStates = 2_000_000

// canMatch reports whether rule (searched anywhere, as Coraza's @rx does)
// may match the transformed form of some whole string of grammar.
func canMatch(grammar, rule *machine, model *tmodel) (bool, string) {
	gAlpha := grammar.alphabet()
	var outAlpha []byte
	seenOut := map[byte]bool{}
	for _, b := range gAlpha {
		for _, o := range model[b] {
			if o != "" && !seenOut[o[0]] {
				seenOut[o[0]] = true
				outAlpha = append(outAlpha, o[0])
			}
		}
	}
	if !rule.reachableWith(outAlpha) {
		return false, "needs a character the grammar cannot produce"
	}
	finish := grammar.canFinish()
	start := productState{g: uint32(grammar.prog.Start), r: uint32(rule.prog.Start)}
	seen := map[productState]bool{start: true}
	queue := []productState{start}
	for len(queue) > 0 {
		if len(seen) > maxProductStates {
			return true, "search too large"
		}
		s := queue[0]
		queue = queue[1:]
		// The text may end here.
		if grammar.close(s.g, s.gPrev, cEdge).match && rule.close(s.r, s.rPrev, cEdge).match {
			return true, "matches at the end of a string"
		}
		for _, b := range gAlpha {
			gNext, _ := grammar.step(s.g, s.gPrev, b)
			if len(gNext) == 0 {
				continue
			}
			for _, o := range model[b] {
				if o == "" {
					for _, g := range gNext {
						queue = push(seen, queue, productState{g, s.r, classOf(b), s.rPrev})
					}
					continue
				}
				rNext, matched := rule.step(s.r, s.rPrev, o[0])
				if matched && finish[s.g] {
					return true, "matches inside a string"
				}
				for _, g := range gNext {
					for _, r := range rNext {
						queue = push(seen, queue, productState{g, r, classOf(b), classOf(o[0])})
					}
				}
			}
		}
	}
	return false, "no string of the grammar matches"
}

func push(seen map[productState]bool, q []productState, s productState) []productState {
	if seen[s] {
		return q
	}
	seen[s] = true
	return append(q, s)
}

// isSpace is the whitespace of Coraza's whitespace transformations.
func isSpace(b byte) bool { return unicode.IsSpace(rune(b)) }
