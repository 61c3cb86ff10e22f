package endpoint

import (
	"net/http"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/openai"
)

// embeddings serves POST /v1/embeddings. Inputs are redacted like prompts;
// vectors need no restoring.
func (h *Handler) embeddings(w http.ResponseWriter, r *http.Request) {
	d := openAIDialect{}
	ctx, caller, err := h.begin(r)
	if err != nil {
		h.fail(w, r, d, err)
		return
	}
	req, x, err := openai.DecodeEmbedRequest(r.Body, h.cfg.MaxBodyBytes)
	if err != nil {
		h.fail(w, r, d, err)
		return
	}
	resp, err := h.Embed(ctx, caller, req)
	if err != nil {
		h.fail(w, r, d, err)
		return
	}
	h.extendWrite(w)
	if err := openai.WriteEmbedResponse(w, resp, x.Base64); err != nil {
		h.logFailure(r, err)
	}
}

// transcriptions serves POST /v1/audio/transcriptions. The audio is held
// in memory only; the prompt is redacted. The transcript is the caller's
// own speech and goes back as the provider wrote it.
func (h *Handler) transcriptions(w http.ResponseWriter, r *http.Request) {
	d := openAIDialect{}
	ctx, caller, err := h.begin(r)
	if err != nil {
		h.fail(w, r, d, err)
		return
	}
	// An upload can take longer than the server's read timeout allows a
	// small JSON body.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(5 * time.Minute))
	req, x, err := openai.DecodeTranscribeRequest(r, h.cfg.MaxAudioBytes)
	if err != nil {
		h.fail(w, r, d, err)
		return
	}
	t, err := h.Transcribe(ctx, caller, req)
	if err != nil {
		h.fail(w, r, d, err)
		return
	}
	h.extendWrite(w)
	if err := openai.WriteTranscription(w, t, x.ResponseFormat); err != nil {
		h.logFailure(r, err)
	}
}

// rerank serves POST /v1/rerank in the request and response shape of
// Cohere's v2 rerank, which Jina, Voyage and the open-source rerank
// servers share.
func (h *Handler) rerank(w http.ResponseWriter, r *http.Request) {
	d := openAIDialect{}
	ctx, caller, err := h.begin(r)
	if err != nil {
		h.fail(w, r, d, err)
		return
	}
	req, returnDocs, err := decodeRerank(r.Body, h.cfg.MaxBodyBytes)
	if err != nil {
		h.fail(w, r, d, err)
		return
	}
	docs := req.Documents
	resp, err := h.Rerank(ctx, caller, req)
	if err != nil {
		h.fail(w, r, d, err)
		return
	}
	h.extendWrite(w)
	if err := writeRerank(w, resp, docs, returnDocs); err != nil {
		h.logFailure(r, err)
	}
}

// models serves GET /v1/models: the aliases and models the caller may use.
func (h *Handler) models(w http.ResponseWriter, r *http.Request) {
	d := openAIDialect{}
	_, caller, err := h.begin(r)
	if err != nil {
		h.fail(w, r, d, err)
		return
	}
	infos := h.cfg.Backend.Models(caller.Policy)
	out := make([]gateway.Model, 0, len(infos))
	for _, m := range infos {
		out = append(out, gateway.Model{ID: m.ID, OwnedBy: "quire"})
	}
	if err := openai.WriteModels(w, out); err != nil {
		h.logFailure(r, err)
	}
}
