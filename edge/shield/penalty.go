package shield

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// Penalties is the penalty box: it counts the requests of each client that
// the shield blocks and blocks a repeat offender for a while. A shared
// implementation (Redis) can replace the in-process one; it decides for
// itself whether to fail open or closed when its store is unreachable.
type Penalties interface {
	// Blocked reports whether client is in the box, and until when.
	Blocked(ctx context.Context, client string) (bool, time.Time)
	// Tripped records that the shield blocked a request of client, and
	// reports whether client is now in the box, and until when.
	Tripped(ctx context.Context, client string) (bool, time.Time)
}

// penaltyShards is the most independently locked shards of a box, and
// minShardSize the fewest clients a shard holds (fewer shards for a small
// box, so that one busy shard does not evict what the others would keep).
const (
	penaltyShards = 64
	minShardSize  = 1024
)

// MemoryPenalties is the in-process penalty box. It is safe for concurrent
// use and bounded: it remembers at most Capacity clients (each of up to 64
// shards, of at least 1024 clients, holds Capacity/shards and forgets its
// least recently seen client to make room). Forgetting a client only clears its count or releases it
// early; a client that keeps sending while blocked stays recently seen.
//
// A client is blocked when its last Trips trips fall within Window (a
// sliding window: the box keeps the times of the last Trips trips).
type MemoryPenalties struct {
	shards           []penaltyShard
	seed             maphash.Seed
	clock            func() time.Time
	trips            int
	window, blockFor int64
}

type penaltyShard struct {
	mu    sync.Mutex
	cache *penaltyLRU
	_     [48]byte // one cache line per shard
}

var _ Penalties = (*MemoryPenalties)(nil)

// NewMemoryPenalties returns an empty box for p (defaults filled in);
// clock nil means time.Now.
func NewMemoryPenalties(p PenaltyConfig, clock func() time.Time) *MemoryPenalties {
	p = Config{Penalty: p}.WithDefaults().Penalty
	if clock == nil {
		clock = time.Now
	}
	n := min(penaltyShards, max(p.Capacity/minShardSize, 1))
	m := &MemoryPenalties{shards: make([]penaltyShard, n), seed: maphash.MakeSeed(), clock: clock,
		trips: p.Trips, window: int64(p.Window), blockFor: int64(p.BlockFor)}
	for i := range m.shards {
		m.shards[i].cache = newPenaltyLRU(max(p.Capacity/n, 1), p.Trips)
	}
	return m
}

func (m *MemoryPenalties) shard(client string) (*penaltyShard, uint64) {
	h := maphash.String(m.seed, client)
	return &m.shards[h%uint64(len(m.shards))], h
}

// Blocked reports whether client is in the box, and until when.
func (m *MemoryPenalties) Blocked(_ context.Context, client string) (bool, time.Time) {
	s, h := m.shard(client)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := m.clock().UnixNano()
	e := s.cache.get(h)
	if e == nil || e.until <= now {
		return false, time.Time{}
	}
	return true, time.Unix(0, e.until)
}

// Tripped records a blocked request of client.
func (m *MemoryPenalties) Tripped(_ context.Context, client string) (bool, time.Time) {
	s, h := m.shard(client)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := m.clock().UnixNano()
	e, ring := s.cache.getOrAdd(h)
	if e.until > now {
		return true, time.Unix(0, e.until)
	}
	ring[e.next] = now
	e.next = (e.next + 1) % int32(len(ring))
	e.count = min(e.count+1, int32(len(ring)))
	// The oldest of the last Trips trips is where the next one will go.
	if int(e.count) == m.trips && now-ring[e.next] < m.window {
		e.until, e.count = now+m.blockFor, 0
		return true, time.Unix(0, e.until)
	}
	return false, time.Time{}
}

// Len returns the number of clients remembered (for metrics and tests).
func (m *MemoryPenalties) Len() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += s.cache.len()
		s.mu.Unlock()
	}
	return n
}
