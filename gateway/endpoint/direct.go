package endpoint

import (
	"context"

	"github.com/quirehq/quire/gateway"
)

// The calls below are the gateway's steps without HTTP, for Quire's own
// features (chat over notes, search embeddings, voice notes, rerank): the
// caller's budget is checked, prompts are redacted (claim AI-4), the
// router picks a compliant provider for the caller's policy (claims AI-2
// and AI-3), and answers are restored. The routes serve API clients
// through the same calls.

// Chat answers req for c.
func (h *Handler) Chat(ctx context.Context, c *Caller, req *gateway.ChatRequest) (*gateway.ChatResponse, error) {
	ctx = WithCaller(ctx, c)
	if err := h.admit(ctx, c, estimateChat(req)); err != nil {
		return nil, err
	}
	sess := h.session(c)
	if sess != nil {
		if err := sess.RedactChat(req); err != nil {
			return nil, err
		}
	}
	resp, err := h.cfg.Backend.Chat(ctx, req, c.Policy)
	if err != nil {
		return nil, err
	}
	if sess != nil {
		sess.RestoreChat(resp)
	}
	return resp, nil
}

// ChatStream answers req for c as a stream of events; the caller closes
// it. Cancelling ctx cancels the upstream call.
func (h *Handler) ChatStream(ctx context.Context, c *Caller, req *gateway.ChatRequest) (gateway.Stream, error) {
	ctx = WithCaller(ctx, c)
	if err := h.admit(ctx, c, estimateChat(req)); err != nil {
		return nil, err
	}
	sess := h.session(c)
	if sess != nil {
		if err := sess.RedactChat(req); err != nil {
			return nil, err
		}
	}
	st, err := h.cfg.Backend.ChatStream(ctx, req, c.Policy)
	if err != nil {
		return nil, err
	}
	if sess != nil {
		st = sess.Stream(st)
	}
	return st, nil
}

// Embed returns the vectors of req's inputs for c. Inputs are redacted
// like prompts, so a vector never encodes a redacted value.
func (h *Handler) Embed(ctx context.Context, c *Caller, req *gateway.EmbedRequest) (*gateway.EmbedResponse, error) {
	ctx = WithCaller(ctx, c)
	n := 0
	for _, s := range req.Inputs {
		n += len(s)
	}
	if err := h.admit(ctx, c, n/4); err != nil {
		return nil, err
	}
	if sess := h.session(c); sess != nil {
		req.Inputs = sess.RedactTexts(req.Inputs)
	}
	return h.cfg.Backend.Embed(ctx, req, c.Policy)
}

// Transcribe returns the transcript of req's audio for c. The prompt is
// redacted; the transcript is the caller's own speech, returned as is.
func (h *Handler) Transcribe(ctx context.Context, c *Caller, req *gateway.TranscribeRequest) (*gateway.Transcription, error) {
	ctx = WithCaller(ctx, c)
	if err := h.admit(ctx, c, len(req.Prompt)/4); err != nil {
		return nil, err
	}
	if sess := h.session(c); sess != nil && req.Prompt != "" {
		req.Prompt = sess.Redact(req.Prompt)
	}
	return h.cfg.Backend.Transcribe(ctx, req, c.Policy)
}

// Rerank scores req's documents against its query for c. Query and
// documents are redacted alike; the answer holds indexes and scores only.
func (h *Handler) Rerank(ctx context.Context, c *Caller, req *gateway.RerankRequest) (*gateway.RerankResponse, error) {
	ctx = WithCaller(ctx, c)
	n := len(req.Query)
	for _, s := range req.Documents {
		n += len(s)
	}
	if err := h.admit(ctx, c, n/4); err != nil {
		return nil, err
	}
	if sess := h.session(c); sess != nil {
		q := sess.RedactTexts(append([]string{req.Query}, req.Documents...))
		req.Query, req.Documents = q[0], q[1:]
	}
	return h.cfg.Backend.Rerank(ctx, req, c.Policy)
}
