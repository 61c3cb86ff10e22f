package search

import (
	"bytes"
	"encoding/binary"
	"sync"
)

// encodeSeq varint-encodes term IDs into a slice of exactly their size.
// Each ID's last byte, and only it, is below 0x80, so a match of encoded
// IDs found by a byte search that starts at 0 or after such a byte is a
// match of whole IDs.
func encodeSeq(ids []uint32) []byte {
	return appendSeq(make([]byte, 0, seqBytes(ids)), ids)
}

func appendSeq(dst []byte, ids []uint32) []byte {
	for _, id := range ids {
		dst = binary.AppendUvarint(dst, uint64(id))
	}
	return dst
}

// seqBytes is the size of the encoding of ids.
func seqBytes(ids []uint32) uint32 {
	n := uint32(0)
	for _, id := range ids {
		n++
		for ; id >= 0x80; id >>= 7 {
			n++
		}
	}
	return n
}

// decodeSeq appends the term IDs of seq to dst.
func decodeSeq(dst []uint32, seq []byte) []uint32 {
	for len(seq) > 0 {
		id, n := binary.Uvarint(seq)
		dst = append(dst, uint32(id))
		seq = seq[n:]
	}
	return dst
}

// phrasePattern encodes the leading slots of a phrase that accept a single
// term, for a byte search of the sequences, and says how many they are.
func phrasePattern(slots []slot) (pattern []byte, fixed int) {
	for fixed < len(slots) && len(slots[fixed]) == 1 {
		pattern = binary.AppendUvarint(pattern, uint64(slots[fixed][0].id))
		fixed++
	}
	return pattern, fixed
}

// phraseIn reports whether the phrase p appears in one field of the
// document under ord: a byte search for its pattern, then a check of the
// slots the pattern leaves out (the prefix being typed).
func (ix *Index) phraseIn(ord uint32, p *clausePlan) bool {
	e := &ix.docs[ord]
	seq, split := e.seq, int(e.titleSeq)
	for off := 0; off < len(seq); {
		i := bytes.Index(seq[off:], p.pattern)
		if i < 0 {
			return false
		}
		at := off + i
		off = at + 1
		if at > 0 && seq[at-1] >= 0x80 {
			continue // inside an ID
		}
		end, ok := at+len(p.pattern), true
		for _, s := range p.slots[p.fixed:] {
			id, n := binary.Uvarint(seq[end:])
			if ok = n > 0 && s.accepts(uint32(id)); !ok {
				break
			}
			end += n
		}
		if ok && (at >= split || end <= split) {
			return true
		}
	}
	return false
}

// tokBuf holds a document's folded terms, back to back, between folding
// (without the lock) and interning (with it).
type tokBuf struct {
	bytes  []byte
	ends   []uint32
	nTitle int
	tok    tokenizer
}

var tokBufs = sync.Pool{New: func() any { return new(tokBuf) }}

func (tb *tokBuf) fill(title, body string) {
	tb.bytes, tb.ends = tb.bytes[:0], tb.ends[:0]
	add := func(_, _ int, term []byte) {
		tb.bytes = append(tb.bytes, term...)
		tb.ends = append(tb.ends, uint32(len(tb.bytes)))
	}
	tb.tok.scan(title, add)
	tb.nTitle = len(tb.ends)
	tb.tok.scan(body, add)
}

func (tb *tokBuf) len() int { return len(tb.ends) }

func (tb *tokBuf) term(i int) []byte {
	start := uint32(0)
	if i > 0 {
		start = tb.ends[i-1]
	}
	return tb.bytes[start:tb.ends[i]]
}
