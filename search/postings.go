package search

import (
	"slices"
	"sort"
)

// A posting is one document's entry in a term's list, in a uint64: the
// document's ordinal in the high 32 bits, then the term's count in the
// title (8 bits) and in the body (24 bits), both saturating. Lists are
// sorted by ordinal, so an update finds its entry by binary search.
const (
	maxTitleTF = 1<<8 - 1
	maxBodyTF  = 1<<24 - 1
	postingSz  = 8 // bytes, for the memory estimate
)

func posting(ord uint32, title, body int) uint64 {
	return uint64(ord)<<32 | uint64(min(title, maxTitleTF))<<24 | uint64(min(body, maxBodyTF))
}

func postOrd(p uint64) uint32 { return uint32(p >> 32) }

func postTF(p uint64) (title, body float64) {
	return float64(p >> 24 & maxTitleTF), float64(p & maxBodyTF)
}

// findPosting returns the index of ord's posting in list, or where it
// would go.
func findPosting(list []uint64, ord uint32) (int, bool) {
	i := sort.Search(len(list), func(i int) bool { return postOrd(list[i]) >= ord })
	return i, i < len(list) && postOrd(list[i]) == ord
}

func insertPosting(list []uint64, p uint64) []uint64 {
	if n := len(list); n == 0 || postOrd(list[n-1]) < postOrd(p) {
		return append(list, p) // a new ordinal: the common case while building
	}
	i, found := findPosting(list, postOrd(p))
	if found {
		list[i] = p
		return list
	}
	return slices.Insert(list, i, p)
}

// deletePosting removes ord's posting; a list left mostly empty is
// reallocated so that churn does not pin memory.
func deletePosting(list []uint64, ord uint32) []uint64 {
	i, found := findPosting(list, ord)
	if !found {
		return list
	}
	list = slices.Delete(list, i, i+1)
	if cap(list) > 64 && len(list) < cap(list)/4 {
		list = slices.Clip(slices.Clone(list))
	}
	return list
}

// termCount is how often a term occurs in a document's title and body.
type termCount struct {
	id          uint32
	title, body int
}

// countTerms appends to out the counts of a document's term IDs (title
// first, then body), sorted by ID. scratch is reused.
func countTerms(ids []uint32, nTitle int, scratch []uint64, out []termCount) ([]uint64, []termCount) {
	scratch = scratch[:0]
	for i, id := range ids {
		inBody := uint64(0)
		if i >= nTitle {
			inBody = 1
		}
		scratch = append(scratch, uint64(id)<<1|inBody)
	}
	slices.Sort(scratch)
	for i := 0; i < len(scratch); {
		c := termCount{id: uint32(scratch[i] >> 1)}
		for ; i < len(scratch) && uint32(scratch[i]>>1) == c.id; i++ {
			if scratch[i]&1 == 0 {
				c.title++
			} else {
				c.body++
			}
		}
		out = append(out, c)
	}
	return scratch, out
}

// applyCounts changes the postings of ord from the counts was to now (both
// sorted by ID): a term in both is updated in place, and only a term in one
// of them is removed or inserted.
func (ix *Index) applyCounts(ord uint32, was, now []termCount) {
	for len(was) > 0 || len(now) > 0 {
		switch {
		case len(now) == 0 || len(was) > 0 && was[0].id < now[0].id:
			ix.dropPosting(was[0].id, ord)
			was = was[1:]
		case len(was) == 0 || now[0].id < was[0].id:
			c := now[0]
			ix.dict.post[c.id] = insertPosting(ix.dict.post[c.id], posting(ord, c.title, c.body))
			ix.bytes += postingSz
			now = now[1:]
		default:
			if c := now[0]; c != was[0] {
				ix.dict.post[c.id] = insertPosting(ix.dict.post[c.id], posting(ord, c.title, c.body))
			}
			was, now = was[1:], now[1:]
		}
	}
}

func (ix *Index) dropPosting(id, ord uint32) {
	list := deletePosting(ix.dict.post[id], ord)
	ix.dict.post[id] = list
	ix.bytes -= postingSz
	if len(list) == 0 {
		ix.bytes -= termOverhead + int64(len(ix.dict.terms[id]))
		ix.dict.release(id)
	}
}
