package lru

import (
	"math/rand/v2"
	"testing"
)

func TestEvictsLeastRecentlyUsed(t *testing.T) {
	s := New(2)
	a, grown := s.Add(1)
	if a != 0 || !grown {
		t.Fatalf("first slot %d grown %v", a, grown)
	}
	b, grown := s.Add(2)
	if b != 1 || !grown {
		t.Fatalf("second slot %d grown %v", b, grown)
	}
	if slot, ok := s.Get(1); !ok || slot != a { // 1 is now the most recent
		t.Fatalf("get 1: %d %v", slot, ok)
	}
	c, grown := s.Add(3) // evicts 2, the least recently used
	if c != b || grown {
		t.Fatalf("third key took slot %d grown %v, want 2's slot %d reused", c, grown, b)
	}
	if _, ok := s.Get(2); ok {
		t.Fatal("2 was not evicted")
	}
	if _, ok := s.Get(1); !ok || s.Len() != 2 {
		t.Fatalf("1 lost or len %d", s.Len())
	}
}

// TestAgainstModel drives a Set and a simple slice model with random
// operations: the same keys are held, in the same order of use.
func TestAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const capacity = 8
	s := New(capacity)
	var model []uint64 // most recent first
	slots := map[uint64]int32{}
	for range 20000 {
		key := uint64(r.IntN(20))
		pos := -1
		for i, k := range model {
			if k == key {
				pos = i
			}
		}
		slot, ok := s.Get(key)
		if ok != (pos >= 0) {
			t.Fatalf("key %d: held %v, model %v", key, ok, pos >= 0)
		}
		if ok {
			if slot != slots[key] {
				t.Fatalf("key %d moved from slot %d to %d", key, slots[key], slot)
			}
			model = append([]uint64{key}, append(model[:pos:pos], model[pos+1:]...)...)
			continue
		}
		slot, _ = s.Add(key)
		if len(model) == capacity {
			evicted := model[capacity-1]
			if slots[evicted] != slot {
				t.Fatalf("key %d took slot %d, want the evicted %d's slot %d", key, slot, evicted, slots[evicted])
			}
			delete(slots, evicted)
			model = model[:capacity-1]
		}
		slots[key] = slot
		model = append([]uint64{key}, model...)
		if s.Len() != len(model) {
			t.Fatalf("len %d, model %d", s.Len(), len(model))
		}
	}
}
