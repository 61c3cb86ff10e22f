package finder

import (
	"cmp"
	"context"
	"slices"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/chat"
	"github.com/quirehq/quire/search"
)

// Retrieval bounds: the words of a question searched, and the hits taken
// of each list.
const (
	maxQuestionTerms = 8
	retrieveDepth    = 50
	// minSimilarity is the least cosine similarity at which a document
	// that shares no word with a question is still retrieved for it.
	minSimilarity = 0.3
)

// stopwords are words too common to say what a question is about.
var stopwords = map[string]bool{
	"the": true, "and": true, "for": true, "are": true, "but": true, "not": true, "you": true, "all": true, "any": true,
	"can": true, "was": true, "were": true, "what": true, "when": true, "where": true, "which": true, "who": true, "whom": true,
	"why": true, "how": true, "does": true, "did": true, "has": true, "have": true, "had": true, "this": true, "that": true,
	"these": true, "those": true, "with": true, "from": true, "into": true, "about": true, "there": true, "their": true,
	"they": true, "them": true, "then": true, "than": true, "its": true, "our": true, "your": true, "my": true, "mine": true,
	"will": true, "would": true, "should": true, "could": true, "may": true, "might": true, "been": true, "being": true,
	"is": true, "it": true, "in": true, "on": true, "of": true, "to": true, "a": true, "an": true, "me": true, "do": true,
}

// questionTerms are the words of a question worth searching: not stop
// words, each once, the longest first.
func questionTerms(q string) []string {
	seen := map[string]bool{}
	var terms []string
	for _, t := range search.Tokenize(q) {
		if len(t.Term) < 3 && t.Term[0] < 0x80 || stopwords[t.Term] || seen[t.Term] {
			continue
		}
		seen[t.Term] = true
		terms = append(terms, t.Term)
	}
	slices.SortStableFunc(terms, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return terms[:min(len(terms), maxQuestionTerms)]
}

// scored is a hit and its fused score.
type scored struct {
	hit   search.Hit
	score float64
}

// Retrieve implements chat.Retriever: the passages of a workspace's notes
// and ideas that best answer a question. A question is not a query:
// documents need not hold every word, so each word is searched alone and
// the BM25 scores add up (the score of the words joined by OR), fused
// with semantic search when it is on.
func (s *Service) Retrieve(ctx context.Context, ws, question string, notes, ideas bool, limit int) ([]chat.Passage, error) {
	var kinds []search.Kind
	if notes {
		kinds = append(kinds, search.KindNote)
	}
	if ideas {
		kinds = append(kinds, search.KindIdea)
	}
	ix, err := s.cache.Index(ctx, ws)
	if err != nil {
		return nil, err
	}
	byID := map[string]*scored{}
	var keyword []*scored
	for _, term := range questionTerms(question) {
		q := search.Query{Clauses: []search.Clause{{Terms: []string{term}}}, Kinds: kinds}
		res, err := ix.Find(ctx, search.Request{Query: q, Limit: retrieveDepth})
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			if sc := byID[h.ID]; sc != nil {
				sc.score += h.Score
				continue
			}
			sc := &scored{hit: h, score: h.Score}
			byID[h.ID], keyword = sc, append(keyword, sc)
		}
	}
	slices.SortStableFunc(keyword, func(a, b *scored) int { return cmp.Compare(b.score, a.score) })
	ranked := keyword
	if s.semantic() {
		fused, err := s.fuseSemantic(ctx, ix, ws, question, kinds, keyword)
		if err != nil { // the embedding model failed: the words alone answer
			s.log.WarnContext(ctx, "semantic retrieval failed; keyword retrieval used", "code", quire.ErrorCode(err))
		} else {
			ranked = fused
		}
	}
	out := make([]chat.Passage, 0, min(limit, len(ranked)))
	for _, sc := range ranked[:min(limit, len(ranked))] {
		h := sc.hit
		out = append(out, chat.Passage{Source: quire.Source{Kind: string(h.Kind), ID: h.ID, Title: h.Title.Text}, Text: h.Body.Text})
	}
	return out, nil
}

// fuseSemantic merges the keyword list with a semantic search by
// reciprocal rank fusion.
func (s *Service) fuseSemantic(ctx context.Context, ix *search.Index, ws, question string, kinds []search.Kind, keyword []*scored) ([]*scored, error) {
	v, err := s.queryVector(ctx, ws, question)
	if err != nil {
		return nil, err
	}
	res, err := ix.Find(ctx, search.Request{Query: search.Query{Kinds: kinds}, Vector: v, Mode: search.ModeSemantic, Limit: retrieveDepth})
	if err != nil {
		return nil, err
	}
	fused := map[string]*scored{}
	var out []*scored
	add := func(h search.Hit, rank int) {
		sc := fused[h.ID]
		if sc == nil {
			sc = &scored{hit: h}
			fused[h.ID], out = sc, append(out, sc)
		}
		sc.score += 1 / float64(search.RRFK+rank)
	}
	for i, sc := range keyword {
		add(sc.hit, i+1)
	}
	for i, h := range res.Hits {
		if h.Semantic < minSimilarity && fused[h.ID] == nil {
			continue // near nothing the question says: not worth sending (claim AI-4)
		}
		add(h, i+1)
	}
	slices.SortStableFunc(out, func(a, b *scored) int { return cmp.Compare(b.score, a.score) })
	return out, nil
}
