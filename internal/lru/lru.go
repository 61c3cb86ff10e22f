// Package lru keeps the bookkeeping of a bounded least-recently-used set
// of uint64 keys (hashes), each holding a slot number. Callers keep their
// values in slices indexed by slot, so that a cache of millions of keys
// holds no pointer per key for the garbage collector to trace: a key costs
// a map slot and 16 bytes here, plus what the caller stores.
//
// A Set is not safe for concurrent use; callers shard and lock.
package lru

// Set is a bounded set of keys in least-recently-used order.
type Set struct {
	index      map[uint64]int32
	links      []link
	head, tail int32 // most and least recently used; -1 when empty
	capacity   int
}

type link struct {
	key        uint64
	prev, next int32
}

// New returns an empty Set of at most capacity keys (at least 1).
func New(capacity int) *Set {
	return &Set{index: make(map[uint64]int32), head: -1, tail: -1, capacity: max(capacity, 1)}
}

// Get returns key's slot and marks key most recently used.
func (s *Set) Get(key uint64) (slot int32, ok bool) {
	i, ok := s.index[key]
	if !ok {
		return 0, false
	}
	if s.head != i {
		s.unlink(i)
		s.pushFront(i)
	}
	return i, true
}

// Add adds key, which must not be in the set, as the most recently used
// and returns its slot. While the set is below its capacity the slot is a
// new one, numbered len-1, and grown is true: the caller appends its
// value. Once full, the least recently used key is evicted and its slot
// reused: the caller overwrites the value there.
func (s *Set) Add(key uint64) (slot int32, grown bool) {
	if len(s.links) < s.capacity {
		s.links = append(s.links, link{})
		slot, grown = int32(len(s.links)-1), true
	} else {
		slot = s.tail
		s.unlink(slot)
		delete(s.index, s.links[slot].key)
	}
	s.links[slot] = link{key: key, prev: -1, next: -1}
	s.index[key] = slot
	s.pushFront(slot)
	return slot, grown
}

// Len returns the number of keys held.
func (s *Set) Len() int { return len(s.index) }

func (s *Set) unlink(i int32) {
	l := &s.links[i]
	if l.prev >= 0 {
		s.links[l.prev].next = l.next
	} else {
		s.head = l.next
	}
	if l.next >= 0 {
		s.links[l.next].prev = l.prev
	} else {
		s.tail = l.prev
	}
	l.prev, l.next = -1, -1
}

func (s *Set) pushFront(i int32) {
	l := &s.links[i]
	l.prev, l.next = -1, s.head
	if s.head >= 0 {
		s.links[s.head].prev = i
	}
	s.head = i
	if s.tail < 0 {
		s.tail = i
	}
}
