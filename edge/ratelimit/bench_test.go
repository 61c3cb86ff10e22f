package ratelimit

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"
)

// benchKeys are distinct keys shaped like Key("ip", route, address).
func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = Key("ip", "/api/v1/notes", "10."+strconv.Itoa(i>>16)+"."+strconv.Itoa(i>>8&255)+"."+strconv.Itoa(i&255))
	}
	return keys
}

// BenchmarkMemoryAllow measures one decision, with the same keys through a
// mutex-guarded map as the baseline to compare against.
func BenchmarkMemoryAllow(b *testing.B) {
	lim := Limit{Rate: 1000, Period: time.Second}
	keys := benchKeys(1_000_000)
	b.Run("baseline-mutex-map", func(b *testing.B) {
		var mu sync.Mutex
		m := make(map[string]int64, len(keys))
		for i := 0; b.Loop(); i++ {
			mu.Lock()
			m[keys[i%len(keys)]]++
			mu.Unlock()
		}
	})
	b.Run("hot-key", func(b *testing.B) {
		m := NewMemory(MemoryOptions{})
		for b.Loop() {
			m.Allow(context.Background(), "hot", lim)
		}
	})
	b.Run("1M-keys", func(b *testing.B) {
		m := NewMemory(MemoryOptions{})
		for i := 0; b.Loop(); i++ {
			m.Allow(context.Background(), keys[i%len(keys)], lim)
		}
	})
	b.Run("1M-keys-parallel", func(b *testing.B) {
		m := NewMemory(MemoryOptions{})
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				m.Allow(context.Background(), keys[i%len(keys)], lim)
			}
		})
	})
}

// BenchmarkMemoryBytesPerKey fills a default limiter (1M keys) and reports
// the heap it holds: B/key and MiB in total.
func BenchmarkMemoryBytesPerKey(b *testing.B) {
	lim := Limit{Rate: 1, Period: time.Hour}
	for b.Loop() {
		base := heapAlloc()
		m := NewMemory(MemoryOptions{})
		for i := range DefaultCapacity {
			m.Allow(context.Background(), "k"+strconv.Itoa(i), lim)
		}
		used := heapAlloc() - base
		n := m.Len() // a little under the capacity: shards fill unevenly
		if n > DefaultCapacity || n < DefaultCapacity*99/100 {
			b.Fatalf("holds %d keys", n)
		}
		b.ReportMetric(float64(used)/float64(n), "B/key")
		b.ReportMetric(float64(used)/(1<<20), "MiB")
	}
}

// BenchmarkRedisAllow measures one decision through Redis against a PING,
// the bare round trip.
func BenchmarkRedisAllow(b *testing.B) {
	c, prefix := testRedis(b)
	r := NewRedis(c, RedisOptions{Prefix: prefix, Timeout: time.Second, BlockedCapacity: -1})
	lim := Limit{Rate: 1_000_000, Period: time.Hour}
	ctx := context.Background()
	b.Run("baseline-ping", func(b *testing.B) {
		for b.Loop() {
			if err := c.Ping(ctx).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("allow", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := r.Allow(ctx, strconv.Itoa(i&1023), lim); err != nil {
				b.Fatal(err)
			}
		}
	})
}
