package anthropic

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/quirehq/quire/gateway"
)

// codecServer serves POST /anthropic/v1/messages over p using only this
// package's server codec: decode → provider → encode. It is the smallest
// version of the gateway's Anthropic endpoint, to prove that what the
// codec emits is what the official SDK accepts.
func codecServer(t testing.TB, p gateway.ChatProvider) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /anthropic/v1/messages", func(w http.ResponseWriter, r *http.Request) {
		req, err := DecodeMessagesRequest(r, Limits{})
		if err != nil {
			WriteAPIError(w, ErrorFromProvider(err))
			return
		}
		serveMessages(w, r, p, req)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// serveMessages answers one request, streamed or not. Nothing is written
// before the provider's first event, so an early failure keeps its status.
func serveMessages(w http.ResponseWriter, r *http.Request, p gateway.ChatProvider, req *gateway.ChatRequest) {
	if !req.Stream {
		resp, err := p.Chat(r.Context(), req)
		if err != nil {
			WriteAPIError(w, ErrorFromProvider(err))
			return
		}
		WriteMessage(w, resp, "")
		return
	}
	s, err := p.ChatStream(r.Context(), req)
	if err != nil {
		WriteAPIError(w, ErrorFromProvider(err))
		return
	}
	defer s.Close()
	enc := NewStreamEncoder(w, "")
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

// sdkClient is an official SDK client of srv, without retries unless
// asked.
func sdkClient(srv *httptest.Server, opts ...option.RequestOption) anthropic.Client {
	base := []option.RequestOption{
		option.WithoutEnvironmentDefaults(),
		option.WithBaseURL(srv.URL + "/anthropic/"), option.WithAPIKey("sk-ant-client"), option.WithMaxRetries(0),
		// SDK v2 no longer models sampling parameters; older clients
		// send them, and the gateway drops top_k.
		option.WithJSONSet("top_k", 5),
	}
	return anthropic.NewClient(append(base, opts...)...)
}

// canned is a gateway provider with canned answers that records requests.
type canned struct {
	mu        sync.Mutex
	chat      *gateway.ChatResponse
	events    []gateway.Event
	streamErr error
	err       error
	got       []*gateway.ChatRequest
}

func (c *canned) Name() string { return "canned" }
func (c *canned) Kind() string { return "test" }

func (c *canned) record(req *gateway.ChatRequest) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, req)
}

func (c *canned) calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.got)
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
