package bot

import "fmt"

// automaton is an Aho-Corasick automaton compiled to a dense DFA over byte
// classes: one table lookup per input byte, whatever the number of
// strings. Bytes that occur in no string share one class, which keeps the
// table to (states × classes) entries.
type automaton struct {
	class    [256]uint16
	nclass   int
	delta    []uint16 // state*nclass + class → next state
	outStart []int32  // state → first index in outs; outStart[s+1] ends it
	outs     []int32  // the string ids that end at each state, suffixes included
}

// maxStates keeps state numbers in 16 bits, halving the table.
const maxStates = 1 << 16

// newAutomaton compiles strs, which must be non-empty and in ASCII lower
// case.
func newAutomaton(strs []string) (*automaton, error) {
	a := &automaton{}
	a.buildClasses(strs)
	trie, ends := a.buildTrie(strs)
	if len(ends) > maxStates {
		return nil, fmt.Errorf("bot: prefilter needs %d states, more than %d", len(ends), maxStates)
	}
	fail := a.link(trie)
	a.delta = make([]uint16, len(trie))
	for i, st := range trie {
		a.delta[i] = uint16(st)
	}
	a.collectOutputs(ends, fail)
	return a, nil
}

// buildClasses gives each byte used by some string its own class; class 0
// is every other byte. The strings are in ASCII lower case, and an upper-
// case letter shares its lower case's class, so the automaton reads the
// text case-insensitively at no cost.
func (a *automaton) buildClasses(strs []string) {
	for _, s := range strs {
		for i := 0; i < len(s); i++ {
			if a.class[s[i]] == 0 {
				a.nclass++
				a.class[s[i]] = uint16(a.nclass)
			}
		}
	}
	a.nclass++
	for c := 'a'; c <= 'z'; c++ {
		a.class[c-'a'+'A'] = a.class[c]
	}
}

// buildTrie returns the trie's edge table (state*nclass + class → child,
// -1 for none) and the ids of the strings that end at each state.
func (a *automaton) buildTrie(strs []string) (trie []int32, ends [][]int32) {
	newState := func() int32 {
		for range a.nclass {
			trie = append(trie, -1)
		}
		ends = append(ends, nil)
		return int32(len(ends) - 1)
	}
	newState()
	for id, s := range strs {
		var st int32
		for i := 0; i < len(s); i++ {
			e := int(st)*a.nclass + int(a.class[s[i]])
			if trie[e] < 0 {
				next := newState()
				trie[e] = next
			}
			st = trie[e]
		}
		ends[st] = append(ends[st], int32(id))
	}
	return trie, ends
}

// link computes failure links breadth first and turns the trie into a DFA
// (a missing edge takes the edge of the failure state). It returns the
// failure links.
func (a *automaton) link(trie []int32) (fail []int32) {
	n := len(trie) / a.nclass
	fail = make([]int32, n)
	queue := make([]int32, 0, n)
	for c := range a.nclass {
		if next := trie[c]; next > 0 {
			queue = append(queue, next)
		} else {
			trie[c] = 0
		}
	}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		for c := range a.nclass {
			e := int(st)*a.nclass + c
			fallback := trie[int(fail[st])*a.nclass+c]
			if next := trie[e]; next >= 0 {
				fail[next] = fallback
				queue = append(queue, next)
			} else {
				trie[e] = fallback
			}
		}
	}
	return fail
}

// collectOutputs flattens, for each state, the ids of every string that
// ends there or at a state on its failure chain.
func (a *automaton) collectOutputs(ends [][]int32, fail []int32) {
	n := len(ends)
	a.outStart = make([]int32, n+1)
	for st := range n {
		a.outStart[st] = int32(len(a.outs))
		for s := int32(st); s > 0; s = fail[s] {
			a.outs = append(a.outs, ends[s]...)
		}
	}
	a.outStart[n] = int32(len(a.outs))
}

// sizeBytes is the memory held by the automaton's tables.
func (a *automaton) sizeBytes() int {
	return 2*len(a.class) + 2*len(a.delta) + 4*(len(a.outStart)+len(a.outs))
}
