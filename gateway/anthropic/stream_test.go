package anthropic

import (
	"context"
	"errors"
	"fmt"
	"io"
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
		s, err := p.ChatStream(context.Background(), chatRequest("stream_text"))
		if err != nil {
			t.Fatal(err)
		}
		evs, err := readStream(s)
		if err != nil {
			t.Fatalf("split %d: %v", split, err)
		}
		want := []gateway.Event{
			{Type: gateway.EventStart, ID: "msg_01Gv3EpW7aDy1SbCx9QuVj2S", Model: "claude-sonnet-4-5-20250929"},
			{Type: gateway.EventText, Text: "Hello"},
			{Type: gateway.EventText, Text: "! How can I help"},
			{Type: gateway.EventText, Text: " with \"your\" writing\ntoday? \u00e9\u2028"},
			{Type: gateway.EventFinish, Finish: gateway.FinishStop},
			{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 21 + 2048, OutputTokens: 15, CachedInputTokens: 2048}},
		}
		if !reflect.DeepEqual(evs, want) {
			t.Fatalf("split %d:\ngot  %+v\nwant %+v", split, evs, want)
		}
	}
}

func TestChatStreamRequest(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	s, err := p.ChatStream(context.Background(), chatRequest("stream_text"))
	if err != nil {
		t.Fatal(err)
	}
	readStream(s)
	want := `{"model":"stream_text","max_tokens":100,"system":"You are a careful editor.",` +
		`"messages":[{"role":"user","content":[{"type":"text","text":"Say hello."}]}],"temperature":0.2,"stream":true}` + "\n"
	if got := string(fake.Last().Body); got != want {
		t.Fatalf("body\n got %s\nwant %s", got, want)
	}
	if a := fake.Last().Header.Get("Accept"); a != "text/event-stream" {
		t.Fatalf("Accept %q", a)
	}
}

func TestChatStreamToolCalls(t *testing.T) {
	fake := newFake(t)
	fake.SplitEvery(5)
	s, err := newProvider(t, fake).ChatStream(context.Background(), chatRequest("stream_tools"))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := readStream(s)
	if err != nil {
		t.Fatal(err)
	}
	want := []gateway.Event{
		{Type: gateway.EventStart, ID: "msg_01Hw4FqX8bEz2TcDy0RvWk3T", Model: "claude-sonnet-4-5-20250929"},
		{Type: gateway.EventText, Text: "I'll search your notes"},
		{Type: gateway.EventText, Text: " and open the folder."},
		{Type: gateway.EventToolCallStart, Index: 0, ID: "toolu_01A09q90qw90lq917835lq9", Name: "search_notes"},
		{Type: gateway.EventToolCallDelta, Index: 0, Text: `{"query": "aut`},
		{Type: gateway.EventToolCallDelta, Index: 0, Text: `umn", "limit": 5}`},
		{Type: gateway.EventToolCallStart, Index: 1, ID: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", Name: "get_folder"},
		{Type: gateway.EventToolCallDelta, Index: 1, Text: `{"folder_id": "f_42"}`},
		{Type: gateway.EventToolCallStart, Index: 2, ID: "toolu_01Vg3sJk6rHnB2cXy7ZqLm4T", Name: "list_folders"},
		{Type: gateway.EventToolCallDelta, Index: 2, Text: `{}`},
		{Type: gateway.EventFinish, Finish: gateway.FinishToolCalls},
		{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 390 + 1024, OutputTokens: 141}},
	}
	if !reflect.DeepEqual(evs, want) {
		t.Fatalf("\ngot  %+v\nwant %+v", evs, want)
	}
	resp, err := gateway.Collect(gateway.SliceStream(evs, nil), 1<<20)
	if err != nil || len(resp.Message.ToolCalls) != 3 || resp.Message.ToolCalls[2].Arguments != "{}" {
		t.Fatalf("collected %+v, %v", resp, err)
	}
}

// TestChatStreamThinking: thinking, signatures, redacted thinking,
// citations and pings are read past without being kept.
func TestChatStreamThinking(t *testing.T) {
	fake := newFake(t)
	s, err := newProvider(t, fake).ChatStream(context.Background(), chatRequest("stream_thinking"))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := readStream(s)
	if err != nil {
		t.Fatal(err)
	}
	want := []gateway.Event{
		{Type: gateway.EventStart, ID: "msg_01Jx5GrY9cFa3UdEz1SwXm4U", Model: "claude-sonnet-4-5-20250929"},
		{Type: gateway.EventText, Text: "Twenty-"},
		{Type: gateway.EventText, Text: "seven."},
		{Type: gateway.EventFinish, Finish: gateway.FinishStop},
		{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 45, OutputTokens: 212, ReasoningTokens: 184}},
	}
	if !reflect.DeepEqual(evs, want) {
		t.Fatalf("\ngot  %+v\nwant %+v", evs, want)
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
		{"stream_overloaded", gateway.ClassServer, gateway.ErrStreamError, "overloaded_error", true, 2},
		{"stream_truncated", gateway.ClassBadResponse, gateway.ErrStreamTruncated, "", true, 3},
		{"stream_cut", gateway.ClassBadResponse, gateway.ErrStreamTruncated, "", true, 3},
		{"stream_invalid_json", gateway.ClassBadResponse, gateway.ErrInvalidJSON, "", false, 1},
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
			if pe.Class != tt.class || !errors.Is(err, tt.cause) || pe.Type != tt.typ || pe.Retryable() != tt.retryable || len(evs) != tt.events || pe.Status != 200 {
				t.Fatalf("got %d events, %+v", len(evs), pe)
			}
			if _, err2 := s.Next(); !errors.Is(err2, tt.cause) {
				t.Fatalf("error not sticky: %v", err2)
			}
		})
	}
}

// TestChatStreamErrorTypes: an error event is classed by its type, as the
// type's status would be.
func TestChatStreamErrorTypes(t *testing.T) {
	for _, tt := range []struct {
		data      string
		class     gateway.ErrorClass
		retryable bool
	}{
		{`{"type":"error","error":{"type":"overloaded_error","message":"CANARY"}}`, gateway.ClassServer, true},
		{`{"type":"error","error":{"type":"api_error","message":"CANARY"}}`, gateway.ClassServer, true},
		{`{"type":"error","error":{"type":"rate_limit_error","message":"CANARY"}}`, gateway.ClassRateLimited, true},
		{`{"type":"error","error":{"type":"invalid_request_error","message":"CANARY"}}`, gateway.ClassInvalidRequest, false},
		{`{"type":"error","error":{"type":"billing_error","message":"CANARY"}}`, gateway.ClassServer, false},
		{`{"type":"error","error":{"type":"new_error_kind","message":"CANARY"}}`, gateway.ClassStreamError, true},
		{`CANARY plain text from a proxy`, gateway.ClassStreamError, true},
	} {
		p := &Provider{name: "t", idle: time.Hour}
		body := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"m\"}}\n\nevent: error\ndata: " + tt.data + "\n\n"
		_, err := readStream(nopStream(p, []byte(body)))
		pe := providerError(t, err)
		if pe.Class != tt.class || pe.Retryable() != tt.retryable || !errors.Is(err, gateway.ErrStreamError) {
			t.Fatalf("%s: %+v (retryable %v)", tt.data, pe, pe.Retryable())
		}
	}
}

// TestChatStreamQuirks covers what compatible servers send: no
// message_start, the whole tool input in content_block_start, no stop
// reason before message_stop, no usage, data without event names.
func TestChatStreamQuirks(t *testing.T) {
	p := &Provider{name: "t", idle: time.Hour}
	body := `data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"c1","name":"f","input":{"a": 1}}}` + "\n\n" +
		`data: {"type":"content_block_stop","index":0}` + "\n\n" +
		`data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"x"}}` + "\n\n" +
		`data: {"type":"message_stop"}` + "\n\n" +
		`data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"after the end"}}` + "\n\n"
	evs, err := readStream(nopStream(p, []byte(body)))
	want := []gateway.Event{
		{Type: gateway.EventStart},
		{Type: gateway.EventToolCallStart, Index: 0, ID: "c1", Name: "f"},
		{Type: gateway.EventToolCallDelta, Index: 0, Text: `{"a":1}`},
		{Type: gateway.EventText, Text: "x"},
		{Type: gateway.EventFinish, Finish: gateway.FinishToolCalls},
	}
	if err != nil || !reflect.DeepEqual(evs, want) {
		t.Fatalf("got %+v, %v", evs, err)
	}
	// Content after the finish reason is not part of the answer.
	body = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"m\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n" +
		`data: {"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":9}}` + "\n\n" +
		`data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"late","name":"f","input":{}}}` + "\n\n" +
		`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"late"}}` + "\n\n" +
		`data: {"type":"message_delta","delta":{"stop_reason":"end_turn"}}` + "\n\n" +
		`data: {"type":"message_stop"}` + "\n\n"
	evs, err = readStream(nopStream(p, []byte(body)))
	want = []gateway.Event{
		{Type: gateway.EventStart, ID: "msg_1", Model: "m"},
		{Type: gateway.EventFinish, Finish: gateway.FinishLength},
		{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 3, OutputTokens: 9}},
	}
	if err != nil || !reflect.DeepEqual(evs, want) {
		t.Fatalf("got %+v, %v", evs, err)
	}
}

func TestChatStreamMalformed(t *testing.T) {
	p := &Provider{name: "t", idle: time.Hour}
	for _, body := range []string{
		`data: {"type":"content_block_start","index":1024,"content_block":{"type":"text","text":""}}` + "\n\n",
		`data: {"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":"x"}}` + "\n\n",
		`data: {"type":"content_block_stop"}` + "\n\n",
		`data: {"type":"content_block_delta","index":"0"}` + "\n\n",
	} {
		_, err := readStream(nopStream(p, []byte(body)))
		if pe := providerError(t, err); pe.Class != gateway.ClassBadResponse || !errors.Is(err, gateway.ErrInvalidJSON) {
			t.Fatalf("%s: %+v", body, pe)
		}
	}
	var b strings.Builder
	for i := range gateway.MaxToolCalls + 1 {
		fmt.Fprintf(&b, "data: {\"type\":\"content_block_start\",\"index\":%d,\"content_block\":{\"type\":\"tool_use\",\"id\":\"c\",\"name\":\"f\",\"input\":{}}}\n\n", i)
	}
	evs, err := readStream(nopStream(p, []byte(b.String())))
	if !errors.Is(err, gateway.ErrInvalidJSON) || len(evs) != 1+gateway.MaxToolCalls {
		t.Fatalf("%d tool calls: %d events, %v", gateway.MaxToolCalls+1, len(evs), err)
	}
}

func TestChatStreamRefusedBeforeStart(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	for scenario, class := range map[string]gateway.ErrorClass{
		"error_429": gateway.ClassRateLimited, "error_401": gateway.ClassAuth, "error_529": gateway.ClassServer, "messages_text": gateway.ClassBadResponse,
	} {
		s, err := p.ChatStream(context.Background(), chatRequest(scenario))
		if s != nil {
			t.Fatalf("%s: a stream was returned", scenario)
		}
		if pe := providerError(t, err); pe.Class != class {
			t.Fatalf("%s: %+v", scenario, pe)
		}
	}
	fake.Handle("json_error", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"type":"error","error":{"type":"overloaded_error","message":"CANARY"}}`)
	})
	_, err := p.ChatStream(context.Background(), chatRequest("json_error"))
	if pe := providerError(t, err); pe.Class != gateway.ClassServer || pe.Type != "overloaded_error" || !pe.Retryable() {
		t.Fatalf("error object instead of a stream: %+v", pe)
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

// TestChatStreamSlowConsumer: the idle timeout measures the upstream's
// silence, not the time the consumer takes between two calls to Next.
func TestChatStreamSlowConsumer(t *testing.T) {
	fake := newFake(t)
	golden, err := fake.Golden("stream_text")
	if err != nil {
		t.Fatal(err)
	}
	fake.Handle("paced", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, ev := range strings.SplitAfter(string(golden.Body), "\n\n") {
			io.WriteString(w, ev)
			http.NewResponseController(w).Flush()
			time.Sleep(5 * time.Millisecond)
		}
	})
	p := newProvider(t, fake, func(c *Config) { c.StreamIdleTimeout = 30 * time.Millisecond })
	s, err := p.ChatStream(context.Background(), chatRequest("paced"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for {
		_, err := s.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
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

func TestChatStreamMaxDuration(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake, func(c *Config) { c.StreamMaxDuration = 80 * time.Millisecond })
	s, err := p.ChatStream(context.Background(), chatRequest("stream_hang"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = readStream(s)
	if pe := providerError(t, err); pe.Class != gateway.ClassTimeout {
		t.Fatalf("got %+v", pe)
	}
}

func TestChatStreamRejectsHugeEvent(t *testing.T) {
	fake := newFake(t)
	fake.Handle("huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte("event: content_block_delta\ndata: " + strings.Repeat("x", maxEvent+10) + "\n\n"))
	})
	s, err := newProvider(t, fake).ChatStream(context.Background(), chatRequest("huge"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readStream(s); !errors.Is(err, gateway.ErrTooLarge) {
		t.Fatalf("got %v", err)
	}
}
