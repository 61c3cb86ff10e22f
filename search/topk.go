package search

import "slices"

// topK keeps the k best candidates seen, in a heap whose root is the worst
// of them, so that a search of n documents costs O(n log k).
type topK struct {
	k      int
	h      []cand
	better func(a, b cand) bool // a ranks before b; a strict total order
}

func (t *topK) push(c cand) {
	switch {
	case t.k <= 0:
	case len(t.h) < t.k:
		t.h = append(t.h, c)
		t.up(len(t.h) - 1)
	case t.better(c, t.h[0]):
		t.h[0] = c
		t.down(0)
	}
}

func (t *topK) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !t.better(t.h[parent], t.h[i]) {
			return
		}
		t.h[parent], t.h[i] = t.h[i], t.h[parent]
		i = parent
	}
}

func (t *topK) down(i int) {
	for {
		worst, l, r := i, 2*i+1, 2*i+2
		if l < len(t.h) && t.better(t.h[worst], t.h[l]) {
			worst = l
		}
		if r < len(t.h) && t.better(t.h[worst], t.h[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		t.h[i], t.h[worst] = t.h[worst], t.h[i]
		i = worst
	}
}

// sorted returns the candidates kept, best first.
func (t *topK) sorted() []cand {
	slices.SortFunc(t.h, func(a, b cand) int {
		switch {
		case a.ord == b.ord:
			return 0
		case t.better(a, b):
			return -1
		}
		return 1
	})
	return t.h
}
