package shield

import (
	"hash/maphash"
	"sync"
)

// cookieCacheSize is how many clean Cookie header values the pre-filter
// remembers (32 bytes each, plus the map).
const cookieCacheSize = 16_384

// cleanCache remembers strings found clean, by a 128-bit keyed hash (two
// random per-process seeds: an outsider can neither compute a collision
// nor search for one within the lifetime of the process). It is bounded:
// when full it forgets the oldest half. Safe for concurrent use.
type cleanCache struct {
	mu         sync.Mutex
	seeds      [2]maphash.Seed
	cur, older map[[2]uint64]struct{}
	max        int
}

func newCleanCache(max int) *cleanCache {
	return &cleanCache{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		cur: map[[2]uint64]struct{}{}, older: map[[2]uint64]struct{}{}, max: max}
}

func (c *cleanCache) key(s string) [2]uint64 {
	return [2]uint64{maphash.String(c.seeds[0], s), maphash.String(c.seeds[1], s)}
}

// has reports whether s was found clean.
func (c *cleanCache) has(s string) bool {
	k := c.key(s)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.cur[k]; ok {
		return true
	}
	if _, ok := c.older[k]; ok {
		c.cur[k] = struct{}{} // still in use: keep it through the next rotation
		return true
	}
	return false
}

// add remembers that s was found clean.
func (c *cleanCache) add(s string) {
	k := c.key(s)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cur) >= c.max/2 {
		c.older, c.cur = c.cur, make(map[[2]uint64]struct{}, c.max/2)
	}
	c.cur[k] = struct{}{}
}

// len returns the number of strings remembered.
func (c *cleanCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cur) + len(c.older)
}
