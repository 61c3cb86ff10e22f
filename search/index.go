package search

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Index is the search index of one workspace, in memory only. It is safe
// for concurrent use: searches share a read lock, and an update holds the
// write lock only to apply its tokens, which it folds beforehand.
type Index struct {
	mu   sync.RWMutex
	ords map[string]uint32 // document ID → ordinal
	docs []docEntry        // by ordinal; free ordinals have live false
	lens []docLen          // by ordinal, apart so that scoring reads little
	free []uint32
	live int
	dict *dict
	// Token totals of the live documents, for BM25's average lengths.
	titleToks, bodyToks int64
	vec                 vectors
	// Scratch space of updates, under the write lock.
	scratch              []uint64
	ids                  []uint32
	oldCounts, newCounts []termCount
	bytes                int64 // the memory estimate, under the write lock
	size                 atomic.Int64
}

// docEntry is what the index keeps of a document. seq is the document's
// term IDs in order (title, then body), varint-encoded (common terms have
// small IDs, so most take a byte or two): the positions that phrases are
// matched against.
type docEntry struct {
	id, folder  string
	title, body string
	kind        Kind
	updated     time.Time
	seq         []byte
	titleSeq    uint32 // bytes of seq that hold the title
	live        bool
}

type docLen struct{ title, body uint32 }

// Memory estimate of a document beyond its strings and terms: its entry,
// its length, its key in ords.
const docOverhead = 144 + 8 + 48

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{ords: make(map[string]uint32), dict: newDict()}
}

// Len returns the number of documents in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// Size returns an estimate of the index's memory in bytes: text, terms,
// postings and vectors, not allocator slack.
func (ix *Index) Size() int64 { return ix.size.Load() }

// Dims returns the dimension of the index's vectors, 0 while it holds none.
func (ix *Index) Dims() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.vec.dims
}

// Upsert adds d, or replaces the document with its ID. It fails, leaving
// the index as it was, if d is invalid or its vector is not finite, is
// zero, or has another dimension than the index's vectors.
func (ix *Index) Upsert(d Doc) error {
	if err := d.validate(); err != nil {
		return err
	}
	vec, err := normalized(d.Vector)
	if err != nil {
		return err
	}
	tb := tokBufs.Get().(*tokBuf)
	defer tokBufs.Put(tb)
	tb.fill(d.Title, d.Body)

	ix.mu.Lock()
	defer ix.mu.Unlock()
	ord, exists := ix.ords[d.ID]
	if vec == nil && d.KeepVector && exists && ix.vec.has(ord) {
		vec = slices.Clone(ix.vec.at(ord))
	}
	if err := ix.vec.check(len(vec), exists && ix.vec.has(ord)); err != nil {
		return err
	}
	var old []termCount
	if exists {
		old = ix.forget(ord)
	} else {
		ord = ix.alloc()
		ix.ords[d.ID] = ord
		ix.bytes += docOverhead + int64(len(d.ID))
	}
	ix.index(ord, &d, tb, vec, old)
	ix.size.Store(ix.bytes)
	ix.trimScratch()
	return nil
}

// trimScratch lets go of scratch space grown by a very long document.
func (ix *Index) trimScratch() {
	if cap(ix.scratch) > 1<<16 {
		ix.scratch, ix.ids, ix.oldCounts, ix.newCounts = nil, nil, nil, nil
	}
}

// SetVector gives the document with ID id the vector v, keeping its text.
// It does nothing if the index does not hold the document, and fails,
// leaving the index as it was, if v is not finite, is zero, or has
// another dimension than the index's vectors.
func (ix *Index) SetVector(id string, v []float32) error {
	vec, err := normalized(v)
	if err != nil || vec == nil {
		return err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ord, ok := ix.ords[id]
	if !ok {
		return nil
	}
	if err := ix.vec.check(len(vec), ix.vec.has(ord)); err != nil {
		return err
	}
	ix.bytes -= ix.vec.clear(ord)
	ix.bytes += ix.vec.set(ord, vec)
	ix.size.Store(ix.bytes)
	return nil
}

// Remove removes the document with ID id; an unknown ID is not an error.
func (ix *Index) Remove(id string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ord, ok := ix.ords[id]
	if !ok {
		return
	}
	ix.applyCounts(ord, ix.forget(ord), nil)
	delete(ix.ords, id)
	ix.docs[ord] = docEntry{}
	ix.free = append(ix.free, ord)
	ix.bytes -= docOverhead + int64(len(id))
	ix.size.Store(ix.bytes)
}

// alloc returns a free ordinal.
func (ix *Index) alloc() uint32 {
	if n := len(ix.free); n > 0 {
		ord := ix.free[n-1]
		ix.free = ix.free[:n-1]
		return ord
	}
	ix.docs = append(ix.docs, docEntry{})
	ix.lens = append(ix.lens, docLen{})
	return uint32(len(ix.docs) - 1)
}

// index records d under ord, whose postings hold the term counts old (of
// the document there before, if any): only the postings that differ are
// touched, so that saving a small edit is cheap.
func (ix *Index) index(ord uint32, d *Doc, tb *tokBuf, vec []float32, old []termCount) {
	ix.ids = ix.ids[:0]
	for i := range tb.len() {
		id, added := ix.dict.intern(tb.term(i))
		if added {
			ix.bytes += termOverhead + int64(len(tb.term(i)))
		}
		ix.ids = append(ix.ids, id)
	}
	seq := encodeSeq(ix.ids)
	ix.scratch, ix.newCounts = countTerms(ix.ids, tb.nTitle, ix.scratch, ix.newCounts[:0])
	ix.applyCounts(ord, old, ix.newCounts)
	ix.docs[ord] = docEntry{id: d.ID, folder: d.FolderID, title: d.Title, body: d.Body,
		kind: d.Kind, updated: d.Updated, seq: seq, titleSeq: seqBytes(ix.ids[:tb.nTitle]), live: true}
	ix.lens[ord] = docLen{uint32(tb.nTitle), uint32(len(ix.ids) - tb.nTitle)}
	ix.titleToks += int64(tb.nTitle)
	ix.bodyToks += int64(len(ix.ids) - tb.nTitle)
	ix.live++
	ix.bytes += int64(len(d.Title) + len(d.Body) + len(d.FolderID) + len(seq))
	if vec != nil {
		ix.bytes += ix.vec.set(ord, vec)
	}
}

// forget clears the document under ord but its postings and ID, and
// returns its term counts, which the caller passes on to applyCounts.
func (ix *Index) forget(ord uint32) []termCount {
	e := &ix.docs[ord]
	n := ix.lens[ord]
	ix.ids = decodeSeq(ix.ids[:0], e.seq)
	ix.scratch, ix.oldCounts = countTerms(ix.ids, int(n.title), ix.scratch, ix.oldCounts[:0])
	ix.titleToks -= int64(n.title)
	ix.bodyToks -= int64(n.body)
	ix.live--
	ix.bytes -= int64(len(e.title) + len(e.body) + len(e.folder) + len(e.seq))
	ix.bytes -= ix.vec.clear(ord)
	*e = docEntry{id: e.id}
	ix.lens[ord] = docLen{}
	return ix.oldCounts
}
