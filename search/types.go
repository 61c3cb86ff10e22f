package search

import (
	"time"
	"unicode/utf8"

	"github.com/quirehq/quire"
)

// Kind is what a document is: a note, an idea or a folder.
type Kind string

// Kinds of document. A folder is indexed by its name (Doc.Title).
const (
	KindNote   Kind = "note"
	KindIdea   Kind = "idea"
	KindFolder Kind = "folder"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindNote || k == KindIdea || k == KindFolder }

// MaxIDBytes bounds Doc.ID and Doc.FolderID.
const MaxIDBytes = 128

// Doc is one decrypted document as the index sees it. The index keeps Title
// and Body (once) for highlights and a normalised copy of Vector; the
// caller's slices are not retained.
type Doc struct {
	ID       string
	Kind     Kind
	FolderID string // the folder holding the document; "" for none
	Title    string
	Body     string
	Updated  time.Time
	Vector   []float32 // embedding of the document; nil when there is none
	// KeepVector, on an Upsert with no Vector, keeps the vector the
	// document has in the index: a change of its folder or time that
	// leaves the embedded text as it was.
	KeepVector bool
}

func (d *Doc) validate() error {
	if d.ID == "" || len(d.ID) > MaxIDBytes {
		return quire.Errorf(quire.EINVALID, "Search document ID must be 1 to %d bytes.", MaxIDBytes)
	}
	if len(d.FolderID) > MaxIDBytes {
		return quire.Errorf(quire.EINVALID, "Search document folder ID must be at most %d bytes.", MaxIDBytes)
	}
	if !d.Kind.Valid() {
		return quire.Errorf(quire.EINVALID, "Search document kind must be note, idea or folder.")
	}
	if !utf8.ValidString(d.Title) || !utf8.ValidString(d.Body) {
		return quire.Errorf(quire.EINVALID, "Search document title and body must be valid UTF-8.")
	}
	return nil
}

// Range is a half-open byte range [Start, End) into a Highlight's Text.
type Range struct {
	Start, End int
}

// Highlight is a fragment of a field with the byte ranges of the matched
// words in it. Text is plain text, not HTML: the caller escapes it.
type Highlight struct {
	Text   string
	Ranges []Range
	// Before and After report that the field has text before or after the
	// fragment (the UI shows an ellipsis).
	Before, After bool
}

// Hit is one search result.
type Hit struct {
	ID       string
	Kind     Kind
	FolderID string
	Updated  time.Time
	// Score orders the results: BM25 (keyword), cosine similarity
	// (semantic), the reciprocal-rank-fusion sum (hybrid), or the reranker's
	// score when the results were reranked.
	Score float64
	// Keyword and Semantic are the scores from each list, with the 1-based
	// rank in it; a rank of 0 means the document was not in that list.
	Keyword, Semantic         float64
	KeywordRank, SemanticRank int
	Title, Body               Highlight
}

// Result is a page of hits.
type Result struct {
	Hits  []Hit
	Total int // matching documents before paging (for a reranked search, the candidates)
	Mode  Mode
	// Reranked reports that the order comes from a reranker. RerankFallback
	// reports that the Reranker failed and the local one ordered the hits;
	// RerankErr is its error, for the caller's log only.
	Reranked, RerankFallback bool
	RerankErr                error
}
