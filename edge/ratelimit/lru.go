package ratelimit

import "github.com/quirehq/quire/internal/lru"

// tatCache is a bounded map from a 64-bit key hash to a theoretical
// arrival time, evicting the least recently used key when full. The times
// live in one slice indexed by the key set's slots, so a key costs a map
// slot plus 24 bytes, without a pointer per entry for the garbage
// collector to trace.
type tatCache struct {
	keys *lru.Set
	tat  []int64
}

func newLRU(capacity int) *tatCache {
	return &tatCache{keys: lru.New(capacity)}
}

// get returns the stored TAT of key and marks it recently used.
func (c *tatCache) get(key uint64) (int64, bool) {
	slot, ok := c.keys.Get(key)
	if !ok {
		return 0, false
	}
	return c.tat[slot], true
}

// set stores tat for key, evicting the least recently used key if the
// cache is full.
func (c *tatCache) set(key uint64, tat int64) {
	if slot, ok := c.keys.Get(key); ok {
		c.tat[slot] = tat
		return
	}
	if slot, grown := c.keys.Add(key); grown {
		c.tat = append(c.tat, tat)
	} else {
		c.tat[slot] = tat
	}
}

// len returns the number of keys held.
func (c *tatCache) len() int { return c.keys.Len() }
