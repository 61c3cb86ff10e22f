package search

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestDictPrefixAgainstModel interns and releases thousands of terms, so
// that the prefix index merges its tail and drops released terms many
// times, and checks every expansion against a brute-force scan.
func TestDictPrefixAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	d := newDict()
	live := map[string]uint32{}
	for step := range 20000 {
		term := fmt.Sprintf("%c%d", 'a'+r.IntN(3), r.IntN(3000))
		if id, ok := live[term]; ok && r.IntN(2) == 0 {
			d.release(id)
			delete(live, term)
		} else if !ok {
			id, added := d.intern([]byte(term))
			if !added {
				t.Fatalf("%q interned twice", term)
			}
			d.post[id] = []uint64{posting(0, 0, 1)} // a live term has a posting
			live[term] = id
		}
		if step%500 != 0 {
			continue
		}
		prefix := fmt.Sprintf("%c%d", 'a'+r.IntN(3), r.IntN(30))
		var want []string
		for term := range live {
			if strings.HasPrefix(term, prefix) {
				want = append(want, term)
			}
		}
		var got []string
		for _, id := range d.expand(prefix, 1<<20) {
			got = append(got, d.terms[id])
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("step %d, prefix %q: got %v, want %v", step, prefix, got, want)
		}
		if n := len(d.expand(prefix, 3)); n > 3 {
			t.Fatalf("limit 3 gave %d", n)
		}
	}
	if len(d.ids) != len(live) {
		t.Fatalf("dictionary holds %d terms, want %d", len(d.ids), len(live))
	}
}
