package shield

// penaltyLRU is a bounded map from a 64-bit client hash to its penalty
// state, evicting the least recently used client when full. Entries live
// in one slice linked by int32 indexes and the trip times in one flat
// slice (trips per entry), so the box holds no pointer per client for the
// garbage collector to trace.
type penaltyLRU struct {
	index      map[uint64]int32
	ents       []penaltyEntry
	times      []int64 // entry i's ring is times[i*trips : (i+1)*trips]
	trips      int
	head, tail int32 // most and least recently used; -1 when empty
	capacity   int
}

type penaltyEntry struct {
	key         uint64
	until       int64 // blocked until (Unix ns); 0 when not blocked
	next, count int32 // ring position of the next trip; trips held
	prev, after int32 // LRU links
}

func newPenaltyLRU(capacity, trips int) *penaltyLRU {
	return &penaltyLRU{index: make(map[uint64]int32), head: -1, tail: -1, capacity: capacity, trips: trips}
}

// get returns key's entry, marked recently used, or nil.
func (c *penaltyLRU) get(key uint64) *penaltyEntry {
	i, ok := c.index[key]
	if !ok {
		return nil
	}
	c.moveToFront(i)
	return &c.ents[i]
}

// getOrAdd returns key's entry and trip ring, adding a fresh one (and
// evicting the least recently used entry when full) if key is new.
func (c *penaltyLRU) getOrAdd(key uint64) (*penaltyEntry, []int64) {
	i, ok := c.index[key]
	switch {
	case ok:
		c.moveToFront(i)
	case len(c.ents) < c.capacity:
		c.ents = append(c.ents, penaltyEntry{})
		c.times = append(c.times, make([]int64, c.trips)...)
		i = int32(len(c.ents) - 1)
	default:
		i = c.tail
		c.unlink(i)
		delete(c.index, c.ents[i].key)
	}
	if !ok {
		c.ents[i] = penaltyEntry{key: key, prev: -1, after: -1}
		c.index[key] = i
		c.pushFront(i)
	}
	n := c.trips
	return &c.ents[i], c.times[int(i)*n : int(i)*n+n]
}

func (c *penaltyLRU) moveToFront(i int32) {
	if c.head == i {
		return
	}
	c.unlink(i)
	c.pushFront(i)
}

func (c *penaltyLRU) unlink(i int32) {
	e := &c.ents[i]
	if e.prev >= 0 {
		c.ents[e.prev].after = e.after
	} else {
		c.head = e.after
	}
	if e.after >= 0 {
		c.ents[e.after].prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.after = -1, -1
}

func (c *penaltyLRU) pushFront(i int32) {
	e := &c.ents[i]
	e.prev, e.after = -1, c.head
	if c.head >= 0 {
		c.ents[c.head].prev = i
	}
	c.head = i
	if c.tail < 0 {
		c.tail = i
	}
}
