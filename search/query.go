package search

import (
	"strings"
	"time"

	"github.com/quirehq/quire"
)

// Query limits.
const (
	MaxQueryBytes = 1 << 10
	MaxQueryTerms = 32
)

// dateLayout is the form of after: and before: dates (UTC days).
const dateLayout = "2006-01-02"

// Clause is one part of a query: a word, or a phrase of words that must be
// adjacent and in order.
type Clause struct {
	// Terms are folded tokens (as Tokenize returns them); more than one
	// makes a phrase. A typed word that folds to several tokens ("e-mail",
	// "東京") is a phrase too.
	Terms []string
	// Negate excludes the documents that match the clause.
	Negate bool
	// Prefix makes the last term match every term it begins (the word being
	// typed).
	Prefix bool
}

// Query is a parsed search: every positive clause must match, no negated
// clause may, and the filters restrict the documents searched. A query with
// no positive clause lists the documents that pass the filters, newest
// first.
type Query struct {
	Clauses []Clause
	Kinds   []Kind    // any of these kinds; all when empty
	Folder  string    // only documents whose FolderID is this; any when ""
	After   time.Time // only documents updated at or after this; any when zero
	Before  time.Time // only documents updated before this; any when zero
}

// String renders q in the syntax ParseQuery reads: filters first, then the
// clauses. A query that ParseQuery returned parses back to itself, though
// the text may exceed MaxQueryBytes (folding lengthens some characters,
// such as the ligature ﷺ). Dates are rendered as UTC days, so a time of day
// set from code is not kept.
func (q Query) String() string {
	var parts []string
	for _, k := range q.Kinds {
		parts = append(parts, "type:"+string(k))
	}
	if q.Folder != "" {
		parts = append(parts, "folder:"+q.Folder)
	}
	if !q.After.IsZero() {
		parts = append(parts, "after:"+q.After.UTC().Format(dateLayout))
	}
	if !q.Before.IsZero() {
		parts = append(parts, "before:"+q.Before.UTC().Format(dateLayout))
	}
	for _, c := range q.Clauses {
		parts = append(parts, c.String())
	}
	s := strings.Join(parts, " ")
	if n := len(q.Clauses); n > 0 && !q.Clauses[n-1].Prefix && len(q.Clauses[n-1].Terms) == 1 {
		s += " " // a last word that is complete, not a prefix
	}
	return s
}

// String renders c: a word, a quoted phrase, or for a phrase whose last
// term is a prefix, its terms joined by hyphens.
func (c Clause) String() string {
	s := strings.Join(c.Terms, " ")
	switch {
	case c.Prefix:
		s = strings.Join(c.Terms, "-")
	case len(c.Terms) > 1:
		s = `"` + s + `"`
	}
	if c.Negate {
		s = "-" + s
	}
	return s
}

// validate checks a query that may have been built in code.
func (q *Query) validate() error {
	n := 0
	for _, c := range q.Clauses {
		if len(c.Terms) == 0 || c.Negate && c.Prefix {
			return errBadClause
		}
		for _, term := range c.Terms {
			if tok := Tokenize(term); len(tok) != 1 || tok[0].Term != term {
				return errBadClause
			}
		}
		n += len(c.Terms)
	}
	if n > MaxQueryTerms {
		return errTooManyTerms
	}
	for _, k := range q.Kinds {
		if !k.Valid() {
			return errBadType
		}
	}
	if len(q.Folder) > MaxIDBytes {
		return errBadFolder
	}
	if !q.After.IsZero() && !q.Before.IsZero() && !q.After.Before(q.Before) {
		return errDateOrder
	}
	return nil
}

// The errors of query parsing and validation. Their messages never include
// the query.
var (
	errQueryTooLong  = quire.Errorf(quire.EINVALID, "Search query must be at most %d bytes.", MaxQueryBytes)
	errQueryEncoding = quire.Errorf(quire.EINVALID, "Search query must be valid UTF-8.")
	errTooManyTerms  = quire.Errorf(quire.EINVALID, "Search query must have at most %d words.", MaxQueryTerms)
	errBadType       = quire.Errorf(quire.EINVALID, "Search type filter must be note, idea or folder.")
	errBadFolder     = quire.Errorf(quire.EINVALID, "Search folder filter is not a valid folder ID.")
	errBadDate       = quire.Errorf(quire.EINVALID, "Search date filters must be dates like 2024-01-31.")
	errDateOrder     = quire.Errorf(quire.EINVALID, "Search after: date must be earlier than the before: date.")
	errDupFilter     = quire.Errorf(quire.EINVALID, "Search folder, after and before filters may each appear once.")
	errNegFilter     = quire.Errorf(quire.EINVALID, "Search filters cannot be negated.")
	errBadClause     = quire.Errorf(quire.EINVALID, "Search clauses must hold folded tokens (use ParseQuery).")
)
