package bot

import (
	"container/list"
	"net/netip"
	"time"
)

// cacheKey is one (claim, network) pair: the network is a single address
// (/32, /128) or, for outcomes that do not verify, an IPv6 /64.
type cacheKey struct {
	claim int
	net   netip.Prefix
}

type cacheEntry struct {
	key     cacheKey
	out     Verification
	expires time.Time
}

// cache is a bounded LRU of verification outcomes, each with its own
// expiry. It is not safe for concurrent use; the verifier locks it.
type cache struct {
	capacity int
	index    map[cacheKey]*list.Element
	order    *list.List // front: most recently used
}

func newCache(capacity int) *cache {
	return &cache{capacity: capacity, index: make(map[cacheKey]*list.Element), order: list.New()}
}

// get returns the unexpired outcome stored for k.
func (c *cache) get(k cacheKey, now time.Time) (Verification, bool) {
	el, ok := c.index[k]
	if !ok {
		return 0, false
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.expires) {
		c.order.Remove(el)
		delete(c.index, k)
		return 0, false
	}
	c.order.MoveToFront(el)
	return e.out, true
}

// put stores out for k until expires, evicting the least recently used
// entry when full.
func (c *cache) put(k cacheKey, out Verification, expires time.Time) {
	if c.capacity <= 0 {
		return
	}
	if el, ok := c.index[k]; ok {
		e := el.Value.(*cacheEntry)
		e.out, e.expires = out, expires
		c.order.MoveToFront(el)
		return
	}
	if c.order.Len() >= c.capacity {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.index, last.Value.(*cacheEntry).key)
	}
	c.index[k] = c.order.PushFront(&cacheEntry{key: k, out: out, expires: expires})
}

func (c *cache) len() int { return c.order.Len() }
