package ratelimit

import (
	"sync"
	"time"
)

// blockedCache remembers keys that Redis refused until their RetryAfter, so
// a client hammering while blocked costs no round trip. It holds at most max
// keys; when full it drops expired keys, then an arbitrary one.
type blockedCache struct {
	mu   sync.Mutex
	max  int
	keys map[blockedKey]blockedUntil
}

// blockedKey includes the limit: one key may be used under several limits.
type blockedKey struct {
	key string
	p   params
}

// sweepSample is how many entries an insertion into a full cache visits.
const sweepSample = 16

type blockedUntil struct {
	retry, reset time.Time
}

func newBlockedCache(max int) *blockedCache {
	return &blockedCache{max: max, keys: make(map[blockedKey]blockedUntil)}
}

// lookup returns the refusal for k if it is still blocked at now.
func (c *blockedCache) lookup(k blockedKey, now time.Time, l Limit) (Decision, bool) {
	if c == nil {
		return Decision{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.keys[k]
	if !ok {
		return Decision{}, false
	}
	if !now.Before(b.retry) {
		delete(c.keys, k)
		return Decision{}, false
	}
	return Decision{RetryAfter: b.retry.Sub(now), ResetAfter: b.reset.Sub(now), Limit: l}, true
}

// add remembers a refusal decided at now.
func (c *blockedCache) add(k blockedKey, now time.Time, d Decision) {
	if c == nil || d.Allowed || d.RetryAfter <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.keys[k]; !ok && len(c.keys) >= c.max {
		c.makeRoom(now)
	}
	c.keys[k] = blockedUntil{retry: now.Add(d.RetryAfter), reset: now.Add(d.ResetAfter)}
}

// makeRoom drops the expired keys among a few visited (map iteration starts
// at a random place), or else the first visited, so that a flood of blocked
// keys costs bounded work per insertion.
func (c *blockedCache) makeRoom(now time.Time) {
	visited, freed := 0, false
	var first blockedKey
	for k, b := range c.keys {
		if visited == 0 {
			first = k
		}
		if !now.Before(b.retry) {
			delete(c.keys, k)
			freed = true
		}
		if visited++; visited == sweepSample {
			break
		}
	}
	if !freed {
		delete(c.keys, first)
	}
}

// len returns the number of keys held.
func (c *blockedCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.keys)
}
