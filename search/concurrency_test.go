package search

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentUpsertSearch runs writers and readers of every kind at once;
// run it with -race. Each reader checks what it can of every answer: a
// document it finds holds the word it searched for.
func TestConcurrentUpsertSearch(t *testing.T) {
	ix := NewIndex()
	words := []string{"apple", "banana", "cherry", "durian"}
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := range 300 {
				id := fmt.Sprintf("w%d-%d", w, i%40)
				d := Doc{ID: id, Kind: KindNote, Title: words[i%4], Body: words[(i+1)%4] + " " + filler(3),
					Vector: []float32{float32(i % 7), 1, float32(w)}}
				if err := ix.Upsert(d); err != nil {
					t.Error(err)
					return
				}
				if i%5 == 0 {
					ix.Remove(id)
				}
			}
		})
	}
	for r := range 3 {
		wg.Go(func() {
			for i := range 200 {
				word := words[(i+r)%4]
				q := Query{Clauses: []Clause{{Terms: []string{word}}}}
				req := Request{Query: q, Vector: []float32{1, 1, 1}, Mode: []Mode{ModeKeyword, ModeSemantic, ModeHybrid}[i%3]}
				res, err := ix.Find(context.Background(), req)
				if err != nil {
					t.Error(err)
					return
				}
				for _, h := range res.Hits {
					if req.Mode == ModeKeyword && len(h.Title.Ranges)+len(h.Body.Ranges) == 0 {
						t.Errorf("hit %s has no match of %q", h.ID, word)
					}
				}
				_ = ix.Len()
			}
		})
	}
	wg.Wait()
	if ix.Len() != 64 { // per writer, 40 IDs whose last write was a removal for 8
		t.Errorf("len %d, want 64", ix.Len())
	}
}
