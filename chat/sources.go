package chat

import (
	"context"
	"errors"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/endpoint"
	"github.com/quirehq/quire/gateway/route"
)

// passages gathers what the answer may draw on, within the context
// budget: the current note first, then the best search results.
func (s *Service) passages(ctx context.Context, ws string, a Ask) ([]Passage, error) {
	var all []Passage
	if a.NoteID != "" {
		n, err := s.cfg.Notes.FindNoteByID(ctx, ws, a.NoteID)
		if err != nil {
			return nil, err
		}
		all = append(all, Passage{Source: quire.Source{Kind: "note", ID: n.ID, Title: n.Title}, Text: n.Content})
	}
	if a.Notes || a.Ideas {
		found, err := s.cfg.Retriever.Retrieve(ctx, ws, a.Text, a.Notes, a.Ideas, maxPassages)
		if err != nil {
			return nil, err
		}
		for _, p := range found {
			if a.NoteID == "" || p.Source.ID != a.NoteID {
				all = append(all, p)
			}
		}
	}
	return fit(all, s.cfg.ContextTokens), nil
}

// sourcesOf lists the sources of passages, in order.
func sourcesOf(passages []Passage) []quire.Source {
	out := make([]quire.Source, 0, len(passages))
	for _, p := range passages {
		out = append(out, p.Source)
	}
	return out
}

// webSources turns a model's citations into sources.
func webSources(cs []gateway.Citation) []quire.Source {
	out := make([]quire.Source, 0, len(cs))
	for _, c := range cs {
		out = append(out, quire.Source{Kind: "web", URL: c.URL, Title: c.Title})
	}
	return out
}

// aiError turns a gateway failure into an error the API can show: a
// budget is 429 with Retry-After, a refusal by the data policy 403, an
// unknown model 400; provider failures are 503 and their cause stays in
// the log.
func aiError(err error) error {
	var budget *endpoint.BudgetError
	var re *route.Error
	var qe *quire.Error
	switch {
	case errors.As(err, &qe):
		return err
	case errors.As(err, &budget):
		msg := "Your AI token budget is spent for this minute."
		if budget.Daily {
			msg = "Your AI token budget is spent for today."
		}
		return &quire.Error{Code: quire.ERATELIMITED, Message: msg, RetryAfter: max(budget.RetryAfter, time.Second)}
	case errors.As(err, &re) && errors.Is(re.Kind, route.ErrNoCompliantProvider):
		return quire.WrapError(quire.EFORBIDDEN, "No AI provider that this workspace's data policy allows serves this model.", err)
	case errors.As(err, &re):
		return quire.WrapError(quire.EINVALID, "The model is not available for chat.", err)
	}
	return quire.WrapError(quire.EUNAVAILABLE, "The AI provider did not answer.", err)
}
