package shield

import "github.com/quirehq/quire/internal/lru"

// penaltyLRU is a bounded map from a 64-bit client hash to its penalty
// state, evicting the least recently used client when full. The states
// live in one slice and the trip times in one flat slice (trips per
// client), both indexed by the key set's slots, so the box holds no
// pointer per client for the garbage collector to trace.
type penaltyLRU struct {
	keys  *lru.Set
	ents  []penaltyEntry
	times []int64 // slot i's ring is times[i*trips : (i+1)*trips]
	trips int
}

type penaltyEntry struct {
	until       int64 // blocked until (Unix ns); 0 when not blocked
	next, count int32 // ring position of the next trip; trips held
}

func newPenaltyLRU(capacity, trips int) *penaltyLRU {
	return &penaltyLRU{keys: lru.New(capacity), trips: trips}
}

// get returns key's entry, marked recently used, or nil.
func (c *penaltyLRU) get(key uint64) *penaltyEntry {
	slot, ok := c.keys.Get(key)
	if !ok {
		return nil
	}
	return &c.ents[slot]
}

// getOrAdd returns key's entry and trip ring, adding a fresh one (and
// evicting the least recently used entry when full) if key is new.
func (c *penaltyLRU) getOrAdd(key uint64) (*penaltyEntry, []int64) {
	slot, ok := c.keys.Get(key)
	if !ok {
		var grown bool
		if slot, grown = c.keys.Add(key); grown {
			c.ents = append(c.ents, penaltyEntry{})
			c.times = append(c.times, make([]int64, c.trips)...)
		} else {
			c.ents[slot] = penaltyEntry{} // the evicted client's ring is dead: count is 0
		}
	}
	n := c.trips
	return &c.ents[slot], c.times[int(slot)*n : int(slot)*n+n]
}

// len returns the number of clients held.
func (c *penaltyLRU) len() int { return c.keys.Len() }
