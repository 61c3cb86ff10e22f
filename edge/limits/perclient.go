package limits

import (
	"sync"
)

// perClientShards spreads the per-client counters over independent locks.
const perClientShards = 32

// PerClient caps the requests one client is served at once (claim DOS-1),
// so that a single client cannot take every slot of the server-wide
// InFlight limit and starve the others: over its share, a client waits its
// turn (it is refused), everyone else is served. Counters exist only
// while a client has requests in flight, so memory is bounded by the
// server's in-flight limit, whatever the number of clients. It is safe for
// concurrent use.
type PerClient struct {
	max    int
	shards [perClientShards]clientShard
}

type clientShard struct {
	mu sync.Mutex
	n  map[string]int
}

// NewPerClient returns a cap of max requests in flight per client key. It
// panics if max is less than 1, which is a configuration error.
func NewPerClient(max int) *PerClient {
	if max < 1 {
		panic("limits: NewPerClient max must be at least 1")
	}
	p := &PerClient{max: max}
	for i := range p.shards {
		p.shards[i].n = map[string]int{}
	}
	return p
}

// Acquire takes one of key's slots and reports whether one was free. Each
// successful Acquire must be paired with one Release.
func (p *PerClient) Acquire(key string) bool {
	s := p.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n[key] >= p.max {
		return false
	}
	s.n[key]++
	return true
}

// Release gives back one of key's slots.
func (p *PerClient) Release(key string) {
	s := p.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.n[key]; n > 1 {
		s.n[key] = n - 1
	} else {
		delete(s.n, key)
	}
}

// Clients returns the number of clients with requests in flight.
func (p *PerClient) Clients() int {
	total := 0
	for i := range p.shards {
		s := &p.shards[i]
		s.mu.Lock()
		total += len(s.n)
		s.mu.Unlock()
	}
	return total
}

// shard picks key's shard with FNV-1a.
func (p *PerClient) shard(key string) *clientShard {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return &p.shards[h%perClientShards]
}
