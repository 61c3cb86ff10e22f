package ratelimit

// lru is a bounded map from a 64-bit key hash to a theoretical arrival time,
// evicting the least recently used key when full. Entries live in one slice
// linked by int32 indexes, so a key costs a map slot plus 24 bytes, without a
// pointer per entry for the garbage collector to trace.
type lru struct {
	index      map[uint64]int32
	ents       []lruEntry
	head, tail int32 // most and least recently used; -1 when empty
	capacity   int
}

type lruEntry struct {
	key        uint64
	tat        int64
	prev, next int32
}

func newLRU(capacity int) *lru {
	return &lru{index: make(map[uint64]int32), head: -1, tail: -1, capacity: capacity}
}

// get returns the stored TAT of key and marks it recently used.
func (c *lru) get(key uint64) (int64, bool) {
	i, ok := c.index[key]
	if !ok {
		return 0, false
	}
	c.moveToFront(i)
	return c.ents[i].tat, true
}

// set stores tat for key, evicting the least recently used key if the cache
// is full. get must have been called first in the same critical section so
// that a present key is already at the front.
func (c *lru) set(key uint64, tat int64) {
	if i, ok := c.index[key]; ok {
		c.ents[i].tat = tat
		return
	}
	var i int32
	if len(c.ents) < c.capacity {
		c.ents = append(c.ents, lruEntry{})
		i = int32(len(c.ents) - 1)
	} else {
		i = c.tail
		c.unlink(i)
		delete(c.index, c.ents[i].key)
	}
	c.ents[i] = lruEntry{key: key, tat: tat, prev: -1, next: -1}
	c.index[key] = i
	c.pushFront(i)
}

// len returns the number of keys held.
func (c *lru) len() int { return len(c.index) }

func (c *lru) moveToFront(i int32) {
	if c.head == i {
		return
	}
	c.unlink(i)
	c.pushFront(i)
}

func (c *lru) unlink(i int32) {
	e := &c.ents[i]
	if e.prev >= 0 {
		c.ents[e.prev].next = e.next
	} else {
		c.head = e.next
	}
	if e.next >= 0 {
		c.ents[e.next].prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next = -1, -1
}

func (c *lru) pushFront(i int32) {
	e := &c.ents[i]
	e.prev, e.next = -1, c.head
	if c.head >= 0 {
		c.ents[c.head].prev = i
	}
	c.head = i
	if c.tail < 0 {
		c.tail = i
	}
}
