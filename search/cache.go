package search

import (
	"container/list"
	"context"
	"sync"
)

// DefaultBudget is the memory budget of a Cache when none is given.
const DefaultBudget = 256 << 20

// Loader returns every document of a workspace, decrypted: notes, ideas
// and folders.
type Loader func(ctx context.Context, workspaceID string) ([]Doc, error)

// Cache holds the indexes of recently searched workspaces, within a memory
// budget (by Index.Size), evicting the least recently used. A missing index
// is built by the Loader, once however many searches wait for it, and is
// served only when complete. A failed load is not remembered: the next
// search tries again. An index larger than the whole budget is served to
// the searches that asked for it but not kept.
type Cache struct {
	load   Loader
	budget int64

	mu      sync.Mutex
	entries map[string]*list.Element // of *cacheEntry
	lru     list.List                // most recently used first
	flights map[string]*flight
	stats   Stats
}

type cacheEntry struct {
	ws string
	ix *Index
}

// flight is a build in progress. Updates that arrive meanwhile are queued
// and applied before the index is published, since the Loader may have read
// the documents before they changed.
type flight struct {
	done    chan struct{}
	ix      *Index
	err     error
	ops     []func(*Index) error
	dropped bool
}

// Stats are a Cache's counters, for metrics.
type Stats struct {
	Entries                         int
	Bytes                           int64 // the indexes' estimated size
	Hits, Misses, Loads, LoadErrors int64
	Evictions, SkippedDocs          int64
}

// NewCache returns an empty cache that builds indexes with load and keeps
// them within budget bytes (DefaultBudget when budget ≤ 0).
func NewCache(load Loader, budget int64) *Cache {
	if budget <= 0 {
		budget = DefaultBudget
	}
	return &Cache{load: load, budget: budget, entries: make(map[string]*list.Element), flights: make(map[string]*flight)}
}

// Index returns the index of workspace ws, building it on a miss. The build
// is not canceled with ctx (others may wait for it); the wait is.
func (c *Cache) Index(ctx context.Context, ws string) (*Index, error) {
	c.mu.Lock()
	if el, ok := c.entries[ws]; ok {
		c.lru.MoveToFront(el)
		c.stats.Hits++
		ix := el.Value.(*cacheEntry).ix
		c.mu.Unlock()
		return ix, nil
	}
	f, ok := c.flights[ws]
	if !ok {
		f = &flight{done: make(chan struct{})}
		c.flights[ws] = f
		c.stats.Misses++
		go c.build(context.WithoutCancel(ctx), ws, f)
	}
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.ix, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Upsert applies d to workspace ws's index if it is loaded (or being
// built); an unloaded index will read d from the Loader when it is built.
// A vector the index refuses (another dimension) is left out and the text
// indexed all the same; the error reports it, except for an update queued
// during a build, which Stats counts in SkippedDocs.
func (c *Cache) Upsert(ws string, d Doc) error {
	if err := d.validate(); err != nil {
		return err
	}
	return c.apply(ws, func(ix *Index) error { return upsertLenient(ix, d) })
}

// SetVector gives document id of workspace ws's index the vector v,
// keeping its text, if the index is loaded (or being built) and holds the
// document; a document removed meanwhile stays removed.
func (c *Cache) SetVector(ws, id string, v []float32) error {
	return c.apply(ws, func(ix *Index) error { return ix.SetVector(id, v) })
}

// Remove removes document id from workspace ws's index if it is loaded (or
// being built).
func (c *Cache) Remove(ws, id string) {
	_ = c.apply(ws, func(ix *Index) error { ix.Remove(id); return nil })
}

func (c *Cache) apply(ws string, op func(*Index) error) error {
	c.mu.Lock()
	if f, ok := c.flights[ws]; ok {
		f.ops = append(f.ops, op)
		c.mu.Unlock()
		return nil
	}
	el, ok := c.entries[ws]
	var ix *Index
	if ok {
		ix = el.Value.(*cacheEntry).ix
	}
	c.mu.Unlock()
	if !ok {
		return nil
	}
	err := op(ix) // outside the cache's lock: folding text takes time
	c.mu.Lock()
	c.evict()
	c.mu.Unlock()
	return err
}

// Drop forgets workspace ws's index (the workspace was deleted or its key
// rotated); a build in progress is served to its waiters but not kept.
func (c *Cache) Drop(ws string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.flights[ws]; ok {
		f.dropped = true
		delete(c.flights, ws) // a search from now on builds afresh
	}
	if el, ok := c.entries[ws]; ok {
		c.lru.Remove(el)
		delete(c.entries, ws)
	}
}

// evict removes the least recently used indexes until the rest fit the
// budget. Sizes are read afresh, as indexes change under updates.
func (c *Cache) evict() {
	total := c.bytes()
	for total > c.budget && c.lru.Len() > 0 {
		e := c.lru.Remove(c.lru.Back()).(*cacheEntry)
		delete(c.entries, e.ws)
		total -= e.ix.Size()
		c.stats.Evictions++
	}
}

func (c *Cache) bytes() int64 {
	var n int64
	for el := c.lru.Front(); el != nil; el = el.Next() {
		n += el.Value.(*cacheEntry).ix.Size()
	}
	return n
}

// Stats returns the cache's counters.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Entries, s.Bytes = c.lru.Len(), c.bytes()
	return s
}
