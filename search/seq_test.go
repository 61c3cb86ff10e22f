package search

import (
	"encoding/binary"
	"slices"
	"testing"
)

func TestSeqRoundTrip(t *testing.T) {
	ids := []uint32{0, 1, 127, 128, 16383, 16384, 1<<21 - 1, 1 << 21, 1<<32 - 1}
	seq := encodeSeq(ids)
	if len(seq) != int(seqBytes(ids)) || cap(seq) != len(seq) {
		t.Errorf("len %d cap %d, want %d", len(seq), cap(seq), seqBytes(ids))
	}
	if got := decodeSeq(nil, seq); !slices.Equal(got, ids) {
		t.Errorf("decoded %v", got)
	}
}

// TestPhraseInWholeIDs: the byte search finds a phrase's pattern inside a
// longer ID's encoding, and phraseIn must not take it for the phrase.
func TestPhraseInWholeIDs(t *testing.T) {
	c := uint32(3<<14 | 5<<7 | 9) // three bytes: 0x89 0x85 0x03
	a := uint32(5 | 3<<7)         // two bytes: 0x85 0x03, the tail of c's
	b := uint32(7)                // one byte
	if enc := binary.AppendUvarint(nil, uint64(c)); string(enc[1:]) != string(binary.AppendUvarint(nil, uint64(a))) {
		t.Fatal("test IDs do not overlap as intended")
	}
	slots := []slot{{{id: a}}, {{id: b}}}
	p := clausePlan{slots: slots}
	p.pattern, p.fixed = phrasePattern(slots)
	ix := &Index{docs: []docEntry{
		{seq: encodeSeq([]uint32{c, b})},                 // a's bytes inside c: no phrase
		{seq: encodeSeq([]uint32{c, a, b})},              // the phrase after c
		{seq: encodeSeq([]uint32{b, a, b}), titleSeq: 2}, // across title and body
		{seq: encodeSeq([]uint32{a, b, a}), titleSeq: 3}, // in the title
	}}
	for ord, want := range []bool{false, true, false, true} {
		if got := ix.phraseIn(uint32(ord), &p); got != want {
			t.Errorf("doc %d: phraseIn %v, want %v", ord, got, want)
		}
	}
}
