package ratelimit

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// DefaultCapacity is the number of keys a Memory limiter remembers by default.
const DefaultCapacity = 1_000_000

// maxShards is the number of independently locked shards (fewer when the
// capacity is smaller, so that the total never exceeds it).
const maxShards = 64

// MemoryOptions configure NewMemory. The zero value is usable.
type MemoryOptions struct {
	// Capacity is the most keys remembered in total (default
	// DefaultCapacity). Memory use is bounded by it: about 68 bytes a key
	// (64 MiB at the default; see BenchmarkMemoryBytesPerKey).
	Capacity int
	// Clock returns the current time (default time.Now). Tests inject a
	// fake clock; only differences between its readings matter.
	Clock func() time.Time
}

// Memory is an in-process GCRA limiter for one instance. It is safe for
// concurrent use.
//
// Keys are reduced to a 64-bit hash under a random per-process seed, so a
// key of any length costs the same and an outsider cannot choose keys that
// collide (two keys share a budget with probability about n²/2⁶⁵ for n keys
// held: 3×10⁻⁸ at a million).
//
// Memory is bounded: each of up to 64 shards holds at most Capacity/shards
// keys and evicts its least recently used key to make room (so eviction
// starts a little before Capacity distinct keys, as shards fill unevenly). Eviction only forgets
// that key's history, so the key's next request starts with a full budget:
// under a flood of more distinct keys than Capacity, limits fail open for
// the least active keys, never closed for anyone.
type Memory struct {
	shards []memShard
	seed   maphash.Seed
	clock  func() time.Time
	epoch  time.Time
}

type memShard struct {
	mu    sync.Mutex
	cache *tatCache
	_     [48]byte // one 64-byte cache line per shard: no false sharing
}

var _ Limiter = (*Memory)(nil)

// NewMemory returns an empty in-process limiter.
func NewMemory(o MemoryOptions) *Memory {
	if o.Capacity <= 0 {
		o.Capacity = DefaultCapacity
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	n := min(maxShards, o.Capacity)
	m := &Memory{shards: make([]memShard, n), seed: maphash.MakeSeed(), clock: o.Clock}
	for i := range m.shards {
		m.shards[i].cache = newLRU(o.Capacity / n)
	}
	m.epoch = o.Clock()
	return m
}

// Allow records one request under key and reports whether it is within l.
// The only error is an invalid limit, with a refusing decision.
func (m *Memory) Allow(_ context.Context, key string, l Limit) (Decision, error) {
	p, err := l.params()
	l = l.withBurst()
	if err != nil {
		return invalid(l, err)
	}
	h := maphash.String(m.seed, key)
	s := &m.shards[h%uint64(len(m.shards))]
	s.mu.Lock()
	defer s.mu.Unlock()
	now := int64(m.clock().Sub(m.epoch))
	tat, ok := s.cache.get(h)
	if !ok {
		tat = now
	}
	d, newTAT := gcra(now, tat, p, l)
	if d.Allowed {
		s.cache.set(h, newTAT)
	}
	return d, nil
}

// Len returns the number of keys remembered (for metrics and tests).
func (m *Memory) Len() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += s.cache.len()
		s.mu.Unlock()
	}
	return n
}
