package gemini

import (
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
)

func TestChatStreamText(t *testing.T) {
	want := []gateway.Event{
		{Type: gateway.EventStart, ID: "uL3taKK_Ld2gz7IPhZzJqQk", Model: "gemini-2.5-flash"},
		{Type: gateway.EventText, Text: "Hello"},
		{Type: gateway.EventText, Text: "! How can I help"},
		{Type: gateway.EventText, Text: " with \"your\" writing\ntoday? \u00e9\u2028"},
		{Type: gateway.EventFinish, Finish: gateway.FinishStop},
		{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 11, OutputTokens: 312, ReasoningTokens: 300}},
	}
	for _, split := range []int{0, 1, 7, 64} {
		fake := newFake(t)
		fake.SplitEvery(split)
		s, err := newProvider(t, fake).ChatStream(context.Background(), chatRequest("chat_stream"))
		if err != nil {
			t.Fatal(err)
		}
		evs, err := readStream(s)
		if err != nil {
			t.Fatalf("split %d: %v", split, err)
		}
		if !reflect.DeepEqual(evs, want) {
			t.Fatalf("split %d:\ngot  %+v\nwant %+v", split, evs, want)
		}
	}
}

// TestChatStreamRequest: the stream asks for SSE in the query, not the
// key, and sends the same body as Chat.
func TestChatStreamRequest(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	if _, err := p.Chat(context.Background(), chatRequest("chat_text")); err != nil {
		t.Fatal(err)
	}
	chatBody := fake.Last().Body
	s, err := p.ChatStream(context.Background(), chatRequest("chat_stream"))
	if err != nil {
		t.Fatal(err)
	}
	readStream(s)
	got := fake.Last()
	if got.Path != "/v1beta/models/chat_stream:streamGenerateContent" || got.RawQuery != "alt=sse" ||
		got.Header.Get("Accept") != "text/event-stream" || got.Header.Get("X-Goog-Api-Key") != testKey {
		t.Fatalf("request %s?%s %v", got.Path, got.RawQuery, got.Header)
	}
	if string(got.Body) != string(chatBody) {
		t.Fatalf("stream body %s\nchat body %s", got.Body, chatBody)
	}
}

func TestChatStreamToolCalls(t *testing.T) {
	fake := newFake(t)
	fake.SplitEvery(5)
	s, err := newProvider(t, fake).ChatStream(context.Background(), chatRequest("chat_tools_stream"))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := readStream(s)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := gateway.Collect(gateway.SliceStream(evs, nil), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	calls := resp.Message.ToolCalls
	if len(calls) != 2 || calls[0].ID == calls[1].ID || !strings.HasPrefix(calls[1].ID, "call_") {
		t.Fatalf("calls %+v", calls)
	}
	calls[0].ID, calls[1].ID = "", ""
	want := []gateway.ToolCall{
		{Name: "search_notes", Arguments: `{"query":"autumn","limit":5}`},
		{Name: "get_folder", Arguments: `{"folder_id":"f_42"}`},
	}
	if !reflect.DeepEqual(calls, want) || resp.FinishReason != gateway.FinishToolCalls || resp.Message.Text() != "" ||
		resp.Usage == nil || *resp.Usage != (gateway.Usage{InputTokens: 142, OutputTokens: 51, ReasoningTokens: 15}) {
		t.Fatalf("got %+v", resp)
	}
	// Each call arrives whole: one start, one delta.
	kinds := ""
	for _, ev := range evs {
		kinds += ev.Type.String() + " "
	}
	if kinds != "start tool_call_start tool_call_delta tool_call_start tool_call_delta finish usage " {
		t.Fatalf("events %s", kinds)
	}
}

func TestChatStreamBlocked(t *testing.T) {
	fake := newFake(t)
	s, err := newProvider(t, fake).ChatStream(context.Background(), chatRequest("stream_blocked"))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := readStream(s)
	if err != nil {
		t.Fatal(err)
	}
	want := []gateway.Event{
		{Type: gateway.EventStart, ID: "wL3taNv0GJOfz7IP0aTJ0QE", Model: "gemini-2.5-flash"},
		{Type: gateway.EventFinish, Finish: gateway.FinishContentFilter},
		{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 9}},
	}
	if !reflect.DeepEqual(evs, want) {
		t.Fatalf("got %+v", evs)
	}
}

func TestChatStreamFailures(t *testing.T) {
	tests := []struct {
		scenario  string
		class     gateway.ErrorClass
		cause     error
		typ       string
		retryable bool
		events    int // events before the error
	}{
		{"stream_error", gateway.ClassStreamError, gateway.ErrStreamError, "UNAVAILABLE", true, 2},
		{"stream_truncated", gateway.ClassBadResponse, gateway.ErrStreamTruncated, "", true, 3},
		{"stream_cut", gateway.ClassBadResponse, gateway.ErrStreamTruncated, "", true, 2},
		{"stream_invalid_json", gateway.ClassBadResponse, gateway.ErrInvalidJSON, "", false, 2},
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
			if pe.Class != tt.class || !errors.Is(err, tt.cause) || pe.Type != tt.typ || pe.Retryable() != tt.retryable || len(evs) != tt.events {
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
		"error_429": gateway.ClassRateLimited, "error_403": gateway.ClassAuth, "chat_text": gateway.ClassBadResponse,
		"no_such_model": gateway.ClassNotFound,
	} {
		s, err := p.ChatStream(context.Background(), chatRequest(scenario))
		if s != nil {
			t.Fatalf("%s: a stream was returned", scenario)
		}
		if pe := providerError(t, err); pe.Class != class {
			t.Fatalf("%s: %+v", scenario, pe)
		}
	}
	// An error object instead of a stream.
	fake.Handle("json_error", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		io.WriteString(w, `{"error":{"code":503,"message":"CANARY","status":"UNAVAILABLE"}}`)
	})
	_, err := p.ChatStream(context.Background(), chatRequest("json_error"))
	if pe := providerError(t, err); pe.Class != gateway.ClassStreamError || pe.Type != "UNAVAILABLE" || !pe.Retryable() {
		t.Fatalf("json error: %+v", pe)
	}
	// An invalid request is refused before anything is sent.
	before := len(fake.Requests())
	req := chatRequest("chat_stream")
	req.Model = "a/b"
	if _, err := p.ChatStream(context.Background(), req); providerError(t, err).Class != gateway.ClassInvalidRequest || len(fake.Requests()) != before {
		t.Fatalf("invalid model: %v", err)
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
			if ev, err := s.Next(); err != nil || ev.Text != "Once upon" {
				t.Fatalf("second event %+v, %v", ev, err)
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
	if pe := providerError(t, err); pe.Class != gateway.ClassTimeout || !pe.Retryable() || len(evs) != 2 {
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

// TestChatStreamAfterFinish: content after the finish reason is dropped,
// usage after it still counts, and the stream ends at EOF.
func TestChatStreamAfterFinish(t *testing.T) {
	fake := newFake(t)
	body := "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"},{\"text\":\"thinking\",\"thought\":true}],\"role\":\"model\"},\"finishReason\":\"MAX_TOKENS\"}],\"modelVersion\":\"m\",\"responseId\":\"r\"}\r\n\r\n" +
		"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"late\"}]},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":4}}\r\n\r\n"
	fake.Handle("late", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, body)
	})
	s, err := newProvider(t, fake).ChatStream(context.Background(), chatRequest("late"))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := readStream(s)
	if err != nil {
		t.Fatal(err)
	}
	want := []gateway.Event{
		{Type: gateway.EventStart, ID: "r", Model: "m"},
		{Type: gateway.EventText, Text: "Hi"},
		{Type: gateway.EventFinish, Finish: gateway.FinishLength},
		{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 3, OutputTokens: 4}},
	}
	if !reflect.DeepEqual(evs, want) {
		t.Fatalf("got %+v", evs)
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
