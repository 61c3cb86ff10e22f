package search

import (
	"slices"
	"sort"
	"strings"
)

// dict interns terms and holds their postings. Term IDs are reused once a
// term's last posting is gone, so partial words saved mid-typing do not
// pile up.
type dict struct {
	ids   map[string]uint32
	terms []string   // by ID; "" for a free ID
	post  [][]uint64 // by ID: postings, sorted by ordinal (see posting)
	free  []uint32

	// The prefix index: sorted holds terms in order, tail the terms added
	// since it was sorted. Both may hold released terms until the next
	// merge; lookups check each against ids.
	sorted, tail []string
	stale        int
}

// Memory estimates per term beyond its bytes: the map entry, the string
// headers in terms and in the prefix index, the postings slice header.
const termOverhead = 48 + 16 + 16 + 24

func newDict() *dict { return &dict{ids: make(map[string]uint32)} }

// intern returns the ID of term, adding it if new (added reports that, for
// the memory estimate). term may be a reused buffer: it is copied only when
// added.
func (d *dict) intern(term []byte) (id uint32, added bool) {
	if id, ok := d.ids[string(term)]; ok {
		return id, false
	}
	s := string(term)
	if n := len(d.free); n > 0 {
		id = d.free[n-1]
		d.free = d.free[:n-1]
		d.terms[id] = s
	} else {
		id = uint32(len(d.terms))
		d.terms = append(d.terms, s)
		d.post = append(d.post, nil)
	}
	d.ids[s] = id
	d.tail = append(d.tail, s)
	if len(d.tail) > max(256, len(d.sorted)/8) {
		d.merge()
	}
	return id, true
}

// release frees the ID of a term that has no posting left.
func (d *dict) release(id uint32) {
	delete(d.ids, d.terms[id])
	d.terms[id] = ""
	d.post[id] = nil
	d.free = append(d.free, id)
	d.stale++
	if d.stale > max(256, len(d.sorted)/4) {
		d.merge()
	}
}

// merge sorts the tail into the prefix index and drops released terms.
func (d *dict) merge() {
	slices.Sort(d.tail)
	merged := make([]string, 0, len(d.sorted)+len(d.tail))
	a, b := d.sorted, d.tail
	for len(a) > 0 || len(b) > 0 {
		var s string
		if len(b) == 0 || len(a) > 0 && a[0] <= b[0] {
			s, a = a[0], a[1:]
		} else {
			s, b = b[0], b[1:]
		}
		if _, live := d.ids[s]; live && (len(merged) == 0 || merged[len(merged)-1] != s) {
			merged = append(merged, s)
		}
	}
	d.sorted, d.tail, d.stale = merged, nil, 0
}

// expand returns up to limit live term IDs beginning with prefix, those in
// the most documents first.
func (d *dict) expand(prefix string, limit int) []uint32 {
	var ids []uint32
	add := func(s string) {
		if id, ok := d.ids[s]; ok {
			ids = append(ids, id)
		}
	}
	for i := sort.SearchStrings(d.sorted, prefix); i < len(d.sorted) && strings.HasPrefix(d.sorted[i], prefix); i++ {
		add(d.sorted[i])
	}
	for _, s := range d.tail {
		if strings.HasPrefix(s, prefix) {
			add(s)
		}
	}
	slices.Sort(ids) // a re-added term can be in both lists
	ids = slices.Compact(ids)
	if len(ids) > limit {
		slices.SortStableFunc(ids, func(a, b uint32) int { return len(d.post[b]) - len(d.post[a]) })
		ids = ids[:limit]
	}
	return ids
}
