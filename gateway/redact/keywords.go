package redact

// keywordMatcher finds which of a set of keywords occur in a text, ASCII
// case-insensitively, in one pass: an Aho-Corasick automaton compiled to
// a full transition table. Bytes that occur in no keyword share one class
// (back to the root), so the table has one column per distinct keyword
// byte, not 256.
type keywordMatcher struct {
	class  [256]uint8
	nclass int
	delta  []int32   // delta[state*nclass+class] is the next state
	out    [][]int32 // keywords that end at each state, suffixes included
}

// newKeywordMatcher compiles words, which must be lowercase (ASCII letters
// in them then match either case). It returns nil if the words use more
// than 255 distinct bytes.
func newKeywordMatcher(words []string) *keywordMatcher {
	m := &keywordMatcher{nclass: 1}
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			c := w[i]
			if m.class[c] == 0 {
				if m.nclass == 256 {
					return nil
				}
				m.class[c] = uint8(m.nclass)
				m.nclass++
			}
		}
	}
	for c := 'a'; c <= 'z'; c++ {
		m.class[c-'a'+'A'] = m.class[c]
	}
	// The trie, with -1 for missing edges.
	newState := func() int32 {
		for range m.nclass {
			m.delta = append(m.delta, -1)
		}
		m.out = append(m.out, nil)
		return int32(len(m.out) - 1)
	}
	newState()
	for id, w := range words {
		s := int32(0)
		for i := 0; i < len(w); i++ {
			e := int(s)*m.nclass + int(m.class[w[i]])
			if m.delta[e] < 0 {
				t := newState()
				m.delta[e] = t
			}
			s = m.delta[e]
		}
		m.out[s] = append(m.out[s], int32(id))
	}
	// Breadth first: failure links, completed into transitions.
	fail := make([]int32, len(m.out))
	var queue []int32
	for c := 0; c < m.nclass; c++ {
		if t := m.delta[c]; t < 0 || c == 0 {
			m.delta[c] = 0
		} else {
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for c := 0; c < m.nclass; c++ {
			e := int(s)*m.nclass + c
			t := m.delta[e]
			f := m.delta[int(fail[s])*m.nclass+c]
			if t < 0 {
				m.delta[e] = f
				continue
			}
			fail[t] = f
			m.out[t] = append(m.out[t], m.out[f]...)
			queue = append(queue, t)
		}
	}
	return m
}

// scan appends to at[id] the offset of every occurrence of keyword id in
// s, in order, and sets len(at[id]) > 0 for every keyword found.
func (m *keywordMatcher) scan(s string, lens []int, at [][]int) {
	st := int32(0)
	for i := 0; i < len(s); i++ {
		st = m.delta[int(st)*m.nclass+int(m.class[s[i]])]
		for _, id := range m.out[st] {
			at[id] = append(at[id], i+1-lens[id])
		}
	}
}

// contains reports whether any keyword occurs in s.
func (m *keywordMatcher) contains(s string) bool {
	st := int32(0)
	for i := 0; i < len(s); i++ {
		st = m.delta[int(st)*m.nclass+int(m.class[s[i]])]
		if len(m.out[st]) > 0 {
			return true
		}
	}
	return false
}
