package ratelimit

import (
	"runtime"
	"strconv"
	"testing"
	"time"
)

func newMemoryLimiter(t *testing.T, clock func() time.Time) Limiter {
	return NewMemory(MemoryOptions{Capacity: 10_000, Clock: clock})
}

func TestMemory(t *testing.T) { testLimiterBehaviour(t, newMemoryLimiter) }

func TestMemoryLenNeverExceedsCapacity(t *testing.T) {
	for _, capacity := range []int{1, 7, 63, 64, 1000, 10_000} {
		m := NewMemory(MemoryOptions{Capacity: capacity})
		lim := Limit{Rate: 1, Period: time.Hour}
		for i := range 2 * capacity {
			mustAllow(t, m, strconv.Itoa(i), lim)
		}
		if n := m.Len(); n > capacity || n < capacity/2 {
			t.Errorf("capacity %d: holds %d keys after %d inserts", capacity, n, 2*capacity)
		}
	}
}

// TestMemoryEvictionForgetsHistory documents the fail-open side of eviction.
func TestMemoryEvictionForgetsHistory(t *testing.T) {
	m := NewMemory(MemoryOptions{Capacity: 1, Clock: newFakeClock().Now})
	lim := Limit{Rate: 1, Period: time.Hour}
	if !mustAllow(t, m, "a", lim).Allowed || mustAllow(t, m, "a", lim).Allowed {
		t.Fatal("a: want one allowed then refused")
	}
	mustAllow(t, m, "b", lim) // evicts a
	if !mustAllow(t, m, "a", lim).Allowed {
		t.Fatal("a after eviction: want a fresh budget")
	}
}

// TestMemoryHeapBounded inserts 10× the capacity in distinct keys: the heap
// must stay near what the capacity itself needs.
func TestMemoryHeapBounded(t *testing.T) {
	const capacity = 50_000
	m := NewMemory(MemoryOptions{Capacity: capacity})
	lim := Limit{Rate: 1, Period: time.Hour}
	base := heapAlloc()
	for i := range 2 * capacity {
		mustAllow(t, m, "k"+strconv.Itoa(i), lim)
	}
	full := heapAlloc() - base
	for i := range 8 * capacity {
		mustAllow(t, m, "churn"+strconv.Itoa(i), lim)
	}
	churned := heapAlloc() - base
	if m.Len() > capacity {
		t.Fatalf("holds %d keys, capacity %d", m.Len(), capacity)
	}
	if perKey := full / capacity; perKey > 200 {
		t.Errorf("%d bytes per key at capacity, want ≤ 200", perKey)
	}
	if churned > full*3/2+1<<20 {
		t.Errorf("heap grew from %d to %d bytes under churn at capacity", full, churned)
	}
	runtime.KeepAlive(m)
}

func heapAlloc() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

func TestLRUOrder(t *testing.T) {
	c := newLRU(2)
	c.set(1, 10)
	c.set(2, 20)
	if tat, ok := c.get(1); !ok || tat != 10 {
		t.Fatalf("get 1 = %d, %t", tat, ok)
	}
	c.set(3, 30) // evicts 2, the least recently used
	if _, ok := c.get(2); ok {
		t.Fatal("2 should have been evicted")
	}
	for k, want := range map[uint64]int64{1: 10, 3: 30} {
		if tat, ok := c.get(k); !ok || tat != want {
			t.Fatalf("get %d = %d, %t; want %d", k, tat, ok, want)
		}
	}
	c.set(3, 31)
	if tat, _ := c.get(3); tat != 31 || c.len() != 2 {
		t.Fatalf("update: tat %d len %d", tat, c.len())
	}
}
