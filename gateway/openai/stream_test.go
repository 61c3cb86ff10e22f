package openai

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
)

func TestChatStreamText(t *testing.T) {
	for _, split := range []int{0, 1, 7, 64} {
		fake := newFake(t)
		fake.SplitEvery(split)
		p := newProvider(t, fake)
		s, err := p.ChatStream(context.Background(), chatRequest("chat_stream"))
		if err != nil {
			t.Fatal(err)
		}
		evs, err := readStream(s)
		if err != nil {
			t.Fatalf("split %d: %v", split, err)
		}
		want := []gateway.Event{
			{Type: gateway.EventStart, ID: "chatcmpl-CQb3Gx1yZ2aB3cD4eF5gH6iJ7kL8m", Model: "gpt-4o-mini-2024-07-18"},
			{Type: gateway.EventText, Text: "Hello"},
			{Type: gateway.EventText, Text: "!"},
			{Type: gateway.EventText, Text: " How can I help"},
			{Type: gateway.EventText, Text: " with \"your\" writing\ntoday? \u00e9\u2028"},
			{Type: gateway.EventFinish, Finish: gateway.FinishStop},
			{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 19, OutputTokens: 12}},
		}
		if !reflect.DeepEqual(evs, want) {
			t.Fatalf("split %d:\ngot  %+v\nwant %+v", split, evs, want)
		}
	}
}

func TestChatStreamRequest(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	s, err := p.ChatStream(context.Background(), chatRequest("chat_stream"))
	if err != nil {
		t.Fatal(err)
	}
	readStream(s)
	got := sentJSON(t, fake)
	if got["stream"] != true || got["store"] != false {
		t.Fatalf("stream %v store %v", got["stream"], got["store"])
	}
	if so, _ := got["stream_options"].(map[string]any); so["include_usage"] != true {
		t.Fatalf("stream_options = %v: usage must always be asked for", got["stream_options"])
	}
	if a := fake.Last().Header.Get("Accept"); a != "text/event-stream" {
		t.Fatalf("Accept %q", a)
	}
}

func TestChatStreamToolCalls(t *testing.T) {
	fake := newFake(t)
	fake.SplitEvery(5)
	s, err := newProvider(t, fake).ChatStream(context.Background(), chatRequest("chat_tools_stream"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := gateway.Collect(s, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := []gateway.ToolCall{
		{ID: "call_Qm3T9vXw2bY8nK1pL0sR4dF6", Name: "search_notes", Arguments: `{"query": "autumn", "limit": 5}`},
		{ID: "call_Zx8C7vB6nM5aS4dF3gH2jK1l", Name: "get_folder", Arguments: `{"folder_id": "f_42"}`},
	}
	if !reflect.DeepEqual(resp.Message.ToolCalls, want) || resp.FinishReason != gateway.FinishToolCalls ||
		resp.Usage == nil || *resp.Usage != (gateway.Usage{InputTokens: 142, OutputTokens: 51, CachedInputTokens: 128}) || resp.Message.Text() != "" {
		t.Fatalf("got %+v", resp)
	}
}

func TestChatStreamFailures(t *testing.T) {
	tests := []struct {
		scenario string
		class    gateway.ErrorClass
		cause    error
		typ      string
		events   int // events before the error
	}{
		{"stream_error", gateway.ClassStreamError, gateway.ErrStreamError, "server_error", 2},
		{"stream_truncated", gateway.ClassBadResponse, gateway.ErrStreamTruncated, "", 3},
		{"stream_cut", gateway.ClassBadResponse, gateway.ErrStreamTruncated, "", 2},
		{"stream_invalid_json", gateway.ClassBadResponse, gateway.ErrInvalidJSON, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			fake := newFake(t)
			s, err := newProvider(t, fake).ChatStream(context.Background(), chatRequest(tt.scenario))
			if err != nil {
				t.Fatal(err)
			}
			evs, err := readStream(s)
			pe := providerError(t, err)
			if pe.Class != tt.class || !errors.Is(err, tt.cause) || pe.Type != tt.typ || len(evs) != tt.events {
				t.Fatalf("got %d events, %+v", len(evs), pe)
			}
			if _, err2 := s.Next(); !errors.Is(err2, tt.cause) {
				t.Fatalf("error not sticky: %v", err2)
			}
		})
	}
}

func TestChatStreamRefusedBeforeStart(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	for scenario, class := range map[string]gateway.ErrorClass{
		"error_429": gateway.ClassRateLimited, "error_401": gateway.ClassAuth, "chat_text": gateway.ClassBadResponse,
	} {
		s, err := p.ChatStream(context.Background(), chatRequest(scenario))
		if s != nil {
			t.Fatalf("%s: a stream was returned", scenario)
		}
		if pe := providerError(t, err); pe.Class != class {
			t.Fatalf("%s: %+v", scenario, pe)
		}
	}
}

// TestChatStreamCancel proves that cancelling the context, or closing the
// stream, aborts the upstream request: the fake sees its client go away.
func TestChatStreamCancel(t *testing.T) {
	for _, how := range []string{"cancel", "close"} {
		t.Run(how, func(t *testing.T) {
			fake := newFake(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s, err := newProvider(t, fake).ChatStream(ctx, chatRequest("stream_hang"))
			if err != nil {
				t.Fatal(err)
			}
			if ev, err := s.Next(); err != nil || ev.Type != gateway.EventStart {
				t.Fatalf("first event %+v, %v", ev, err)
			}
			errc := make(chan error, 1)
			if how == "cancel" {
				go func() { _, err := s.Next(); errc <- err }()
				time.Sleep(20 * time.Millisecond)
				cancel()
			} else {
				s.Close()
			}
			select {
			case name := <-fake.Disconnects():
				if name != "stream_hang" {
					t.Fatalf("disconnect from %s", name)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the upstream never saw the connection close")
			}
			if how == "cancel" {
				err := <-errc
				if pe := providerError(t, err); pe.Class != gateway.ClassCanceled || !errors.Is(err, context.Canceled) {
					t.Fatalf("after cancel: %+v", pe)
				}
				s.Close()
			}
			if _, err := s.Next(); err == nil {
				t.Fatal("Next after the end returned no error")
			}
		})
	}
}

func TestChatStreamIdleTimeout(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake, func(c *Config) { c.StreamIdleTimeout = 50 * time.Millisecond })
	s, err := p.ChatStream(context.Background(), chatRequest("stream_hang"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	evs, err := readStream(s)
	if pe := providerError(t, err); pe.Class != gateway.ClassTimeout || !pe.Retryable() || len(evs) != 1 {
		t.Fatalf("got %d events, %+v", len(evs), pe)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("idle timeout took %v", d)
	}
	<-fake.Disconnects()
}

func TestChatStreamHeaderTimeout(t *testing.T) {
	fake := newFake(t)
	fake.Handle("silent", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	p := newProvider(t, fake, func(c *Config) { c.Timeout = 50 * time.Millisecond })
	_, err := p.ChatStream(context.Background(), chatRequest("silent"))
	if pe := providerError(t, err); pe.Class != gateway.ClassTimeout {
		t.Fatalf("got %+v", pe)
	}
}

// TestChatStreamQuirks covers what compatible servers send: a whole tool
// call in one chunk, a usage-only chunk with null choices, no [DONE].
func TestChatStreamQuirks(t *testing.T) {
	fake := newFake(t)
	body := "data: {\"id\":\"x\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},\"finish_reason\":\"stop\"}]}\n\n" +
		"data: {\"id\":\"x\",\"model\":\"m\",\"choices\":null,\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}\n\n"
	fake.Handle("quirky", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte(body))
	})
	compat := newProvider(t, fake, func(c *Config) { c.Kind = "openai_compatible" })
	s, err := compat.ChatStream(context.Background(), chatRequest("quirky"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := gateway.Collect(s, 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Message.ToolCalls) != 1 || resp.Message.ToolCalls[0].Arguments != "{}" || resp.FinishReason != gateway.FinishToolCalls || resp.Usage == nil || resp.Usage.OutputTokens != 2 {
		t.Fatalf("got %+v", resp)
	}
	// OpenAI proper always ends with [DONE]: without it, the stream is cut.
	s, err = newProvider(t, fake).ChatStream(context.Background(), chatRequest("quirky"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readStream(s); !errors.Is(err, gateway.ErrStreamTruncated) {
		t.Fatalf("openai without [DONE]: %v", err)
	}
}

func TestChatStreamRejectsHugeChunk(t *testing.T) {
	fake := newFake(t)
	fake.Handle("huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte("data: " + strings.Repeat("x", maxChunk+10) + "\n\n"))
	})
	s, err := newProvider(t, fake).ChatStream(context.Background(), chatRequest("huge"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readStream(s); !errors.Is(err, gateway.ErrTooLarge) {
		t.Fatalf("got %v", err)
	}
}
