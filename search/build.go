package search

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/quirehq/quire"
)

// BuildIndex returns a new index of docs, folding their text on every
// processor. A document the index refuses because of its vector (a
// dimension unlike the others') is indexed without it; one refused for any
// other reason is left out. skipped counts both, for the caller's metrics.
// Docs should have distinct IDs: of two with the same ID, either may win.
func BuildIndex(docs []Doc) (ix *Index, skipped int) {
	ix = NewIndex()
	ix.reserve(docs)
	var next, bad atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(docs)/64, 1)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(docs) {
					return
				}
				if upsertLenient(ix, docs[i]) != nil {
					bad.Add(1)
				}
			}
		})
	}
	wg.Wait()
	ix.trim()
	return ix, int(bad.Load())
}

// upsertLenient upserts d, or d without its vector if the index refuses
// that; the error says that either happened.
func upsertLenient(ix *Index, d Doc) error {
	err := ix.Upsert(d)
	if err != nil && d.Vector != nil {
		d.Vector = nil
		_ = ix.Upsert(d) // fails again only if the document itself is invalid
	}
	return err
}

// reserve sizes the index's per-document storage for docs, so that a build
// does not leave the slack of growing slices behind.
func (ix *Index) reserve(docs []Doc) {
	ix.ords = make(map[string]uint32, len(docs))
	ix.docs = make([]docEntry, 0, len(docs))
	ix.lens = make([]docLen, 0, len(docs))
	for _, d := range docs {
		if len(d.Vector) > 0 {
			ix.vec.data = make([]float32, 0, len(docs)*len(d.Vector))
			ix.vec.present = make([]bool, 0, len(docs))
			return
		}
	}
}

// trim reallocates the postings lists with much unused capacity.
func (ix *Index) trim() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for i, list := range ix.dict.post {
		if cap(list)-len(list) > len(list)/16+2 {
			ix.dict.post[i] = slices.Clone(list)
		}
	}
}

// build loads workspace ws, applies the updates queued meanwhile and
// publishes the index, then releases the waiters.
func (c *Cache) build(ctx context.Context, ws string, f *flight) {
	ix, skipped, err := loadIndex(ctx, c.load, ws)
	c.mu.Lock()
	if c.flights[ws] == f { // a Drop may have let a newer build start
		delete(c.flights, ws)
	}
	c.stats.Loads++
	if err != nil {
		c.stats.LoadErrors++
	} else {
		for _, op := range f.ops {
			if op(ix) != nil {
				c.stats.SkippedDocs++
			}
		}
		c.stats.SkippedDocs += int64(skipped)
		if !f.dropped {
			c.entries[ws] = c.lru.PushFront(&cacheEntry{ws, ix})
			c.evict()
		}
	}
	f.ix, f.err = ix, err
	c.mu.Unlock()
	close(f.done)
}

// loadIndex loads and indexes a workspace. A panic in the Loader is an
// error, not a crash: the build runs on its own goroutine, where nothing
// else would recover it, and its waiters must be released.
func loadIndex(ctx context.Context, load Loader, ws string) (ix *Index, skipped int, err error) {
	defer func() {
		if r := recover(); r != nil {
			ix, err = nil, quire.WrapError(quire.EINTERNAL, "Search index could not be built.", fmt.Errorf("search: loader panicked (%T)", r))
		}
	}()
	docs, err := load(ctx, ws)
	if err != nil {
		return nil, 0, err
	}
	ix, skipped = BuildIndex(docs)
	return ix, skipped, nil
}
