package openai

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/quirehq/quire/gateway"
)

// codecServer serves the OpenAI endpoints over p using only this
// package's server codec: decode → provider → encode. It is the smallest
// version of the gateway's /v1 endpoints, to prove that what the codec
// emits is what the official SDK accepts.
func codecServer(t testing.TB, p gateway.Provider) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		req, _, err := DecodeChatRequest(r.Body, 0)
		if err != nil {
			WriteAPIError(w, ErrorFromProvider(err))
			return
		}
		serveChat(w, r, p.(gateway.ChatProvider), req)
	})
	mux.HandleFunc("POST /v1/embeddings", func(w http.ResponseWriter, r *http.Request) {
		req, x, err := DecodeEmbedRequest(r.Body, 0)
		if err == nil {
			var resp *gateway.EmbedResponse
			if resp, err = p.(gateway.Embedder).Embed(r.Context(), req); err == nil {
				WriteEmbedResponse(w, resp, x.Base64)
				return
			}
		}
		WriteAPIError(w, ErrorFromProvider(err))
	})
	mux.HandleFunc("POST /v1/audio/transcriptions", func(w http.ResponseWriter, r *http.Request) {
		req, x, err := DecodeTranscribeRequest(r, 0)
		if err == nil {
			var tr *gateway.Transcription
			if tr, err = p.(gateway.Transcriber).Transcribe(r.Context(), req); err == nil {
				WriteTranscription(w, tr, x.ResponseFormat)
				return
			}
		}
		WriteAPIError(w, ErrorFromProvider(err))
	})
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		models, err := p.(gateway.ModelLister).Models(r.Context())
		if err != nil {
			WriteAPIError(w, ErrorFromProvider(err))
			return
		}
		WriteModels(w, models)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// serveChat answers one chat request, streamed or not. Nothing is written
// before the provider's first event, so an early failure keeps its status.
func serveChat(w http.ResponseWriter, r *http.Request, p gateway.ChatProvider, req *gateway.ChatRequest) {
	if !req.Stream {
		resp, err := p.Chat(r.Context(), req)
		if err != nil {
			WriteAPIError(w, ErrorFromProvider(err))
			return
		}
		WriteChatResponse(w, resp)
		return
	}
	s, err := p.ChatStream(r.Context(), req)
	if err != nil {
		WriteAPIError(w, ErrorFromProvider(err))
		return
	}
	defer s.Close()
	enc := NewStreamEncoder(w, req.IncludeUsage)
	for {
		ev, err := s.Next()
		if errors.Is(err, io.EOF) {
			enc.Close()
			return
		}
		if err != nil {
			enc.Fail(err)
			return
		}
		if err := enc.Encode(ev); err != nil {
			return
		}
	}
}

// sdkClient is an official SDK client of srv, without retries.
func sdkClient(srv *httptest.Server) openai.Client {
	return openai.NewClient(option.WithBaseURL(srv.URL+"/v1/"), option.WithAPIKey("sk-client"), option.WithMaxRetries(0))
}

// canned is a gateway provider with canned answers that records requests.
type canned struct {
	mu         sync.Mutex
	chat       *gateway.ChatResponse
	events     []gateway.Event
	streamErr  error
	err        error
	embed      *gateway.EmbedResponse
	transcript *gateway.Transcription
	got        []*gateway.ChatRequest
	gotEmbed   *gateway.EmbedRequest
	gotAudio   []byte
}

func (c *canned) Name() string { return "canned" }
func (c *canned) Kind() string { return "test" }

func (c *canned) record(req *gateway.ChatRequest) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, req)
}

func (c *canned) last() *gateway.ChatRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.got[len(c.got)-1]
}

func (c *canned) Chat(_ context.Context, req *gateway.ChatRequest) (*gateway.ChatResponse, error) {
	c.record(req)
	return c.chat, c.err
}

func (c *canned) ChatStream(_ context.Context, req *gateway.ChatRequest) (gateway.Stream, error) {
	c.record(req)
	if c.err != nil {
		return nil, c.err
	}
	return gateway.SliceStream(c.events, c.streamErr), nil
}

func (c *canned) Embed(_ context.Context, req *gateway.EmbedRequest) (*gateway.EmbedResponse, error) {
	c.gotEmbed = req
	return c.embed, c.err
}

func (c *canned) Transcribe(_ context.Context, req *gateway.TranscribeRequest) (*gateway.Transcription, error) {
	c.gotAudio, _ = io.ReadAll(req.Audio)
	return c.transcript, c.err
}

func (c *canned) Models(context.Context) ([]gateway.Model, error) {
	return []gateway.Model{{ID: "gpt-4o-mini"}, {ID: "text-embedding-3-small", OwnedBy: "openai"}}, c.err
}
