package openai

import (
	"context"
	"encoding/json"
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

// serveEvents answers with body as an event stream.
func serveEvents(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte(body))
	}
}

// chunks builds a stream body of one data event per JSON chunk, then
// [DONE].
func chunks(data ...string) string {
	var b strings.Builder
	for _, d := range data {
		b.WriteString("data: " + d + "\n\n")
	}
	return b.String() + "data: [DONE]\n\n"
}

// streamOf opens a stream of body from a provider of kind.
func streamOf(t *testing.T, kind, body string) gateway.Stream {
	t.Helper()
	fake := newFake(t)
	fake.Handle("custom", serveEvents(body))
	s, err := newProvider(t, fake, func(c *Config) { c.Kind = kind }).ChatStream(context.Background(), chatRequest("custom"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestChatStreamToolCallNumbering covers tool call deltas as servers send
// them: without index, reusing index 0 for every call, with the name after
// the ID, and repeating the ID and name on every delta.
func TestChatStreamToolCallNumbering(t *testing.T) {
	const head = `{"id":"x","model":"m","choices":[{"index":0,"delta":{"tool_calls":[`
	const tail = `]}}]}`
	finish := `{"id":"x","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`
	ab := []gateway.ToolCall{{ID: "call_1", Name: "a", Arguments: `{"x":1}`}, {ID: "call_2", Name: "b", Arguments: `{"y":2}`}}
	tests := []struct {
		name   string
		deltas []string
		want   []gateway.ToolCall
	}{
		{"no index, whole calls", []string{
			`{"id":"call_1","type":"function","function":{"name":"a","arguments":"{\"x\":1}"}}`,
			`{"id":"call_2","type":"function","function":{"name":"b","arguments":"{\"y\":2}"}}`,
		}, ab},
		{"no index, fragments", []string{
			`{"id":"call_1","type":"function","function":{"name":"a","arguments":"{\"x\""}}`,
			`{"function":{"arguments":":1}"}}`,
			`{"id":"call_2","type":"function","function":{"name":"b","arguments":""}}`,
			`{"function":{"arguments":"{\"y\":2}"}}`,
		}, ab},
		{"index 0 reused", []string{
			`{"index":0,"id":"call_1","type":"function","function":{"name":"a","arguments":"{\"x\":"}}`,
			`{"index":0,"function":{"arguments":"1}"}}`,
			`{"index":0,"id":"call_2","type":"function","function":{"name":"b","arguments":"{\"y\":2}"}}`,
		}, ab},
		{"name after id, in pieces", []string{
			`{"index":0,"id":"call_1","type":"function","function":{"arguments":""}}`,
			`{"index":0,"function":{"name":"search_","arguments":"{\"x\""}}`,
			`{"index":0,"function":{"name":"notes","arguments":":1}"}}`,
		}, []gateway.ToolCall{{ID: "call_1", Name: "search_notes", Arguments: `{"x":1}`}}},
		{"id and name repeated", []string{
			`{"index":0,"id":"call_1","type":"function","function":{"name":"a","arguments":"{\"x\""}}`,
			`{"index":0,"id":"call_1","type":"function","function":{"name":"a","arguments":":1}"}}`,
			`{"index":1,"id":"call_2","type":"function","function":{"name":"b","arguments":"{\"y\":2}"}}`,
		}, ab},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var data []string
			for _, d := range tt.deltas {
				data = append(data, head+d+tail)
			}
			resp, err := gateway.Collect(streamOf(t, "openai", chunks(append(data, finish)...)), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(resp.Message.ToolCalls, tt.want) || resp.FinishReason != gateway.FinishToolCalls {
				t.Fatalf("got %+v, want %+v", resp.Message.ToolCalls, tt.want)
			}
		})
	}
}

// TestChatStreamLateNameEncoded: a name that arrives after the ID
// is encoded for the client as a fragment an OpenAI client appends.
func TestChatStreamLateNameEncoded(t *testing.T) {
	s := streamOf(t, "openai", chunks(
		`{"id":"x","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"arguments":""}}]}}]}`,
		`{"id":"x","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"lookup","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}`,
	))
	evs, err := readStream(s)
	if err != nil {
		t.Fatal(err)
	}
	_, data := encodeStream(t, false, evs, nil)
	var names, ids []string
	for _, d := range data[:len(data)-1] {
		var c wireChunk
		if err := json.Unmarshal([]byte(d), &c); err != nil {
			t.Fatal(err)
		}
		for _, tc := range c.Choices[0].Delta.ToolCalls {
			names, ids = append(names, tc.Function.Name), append(ids, tc.ID)
		}
	}
	if strings.Join(names, "") != "lookup" || strings.Join(ids, "") != "call_1" {
		t.Fatalf("client would assemble name %q, id %q from %v", strings.Join(names, ""), strings.Join(ids, ""), data)
	}
}

// TestChatStreamIgnoresAfterFinish: nothing after the finish reason but
// usage and citations becomes an event.
func TestChatStreamIgnoresAfterFinish(t *testing.T) {
	s := streamOf(t, "openai", chunks(
		`{"id":"x","model":"m","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]}`,
		`{"id":"x","model":"m","choices":[{"index":0,"delta":{"content":"LATE","tool_calls":[{"index":0,"id":"c","function":{"name":"f"}}]},"finish_reason":"length"}]}`,
		`{"id":"x","model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`,
	))
	evs, err := readStream(s)
	if err != nil {
		t.Fatal(err)
	}
	want := []gateway.Event{
		{Type: gateway.EventStart, ID: "x", Model: "m"},
		{Type: gateway.EventText, Text: "a"},
		{Type: gateway.EventFinish, Finish: gateway.FinishStop},
		{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 1, OutputTokens: 1}},
	}
	if !reflect.DeepEqual(evs, want) {
		t.Fatalf("got  %+v\nwant %+v", evs, want)
	}
}

// TestChatStreamErrorEventNotJSON: "event: error" is an error reported in
// the stream, whatever its data holds.
func TestChatStreamErrorEventNotJSON(t *testing.T) {
	for _, data := range []string{"upstream overloaded", `{"message":"m","type":"server_error"}`, `{"error":{"type":"server_error","code":"overloaded"}}`} {
		s := streamOf(t, "openai", `data: {"id":"x","model":"m","choices":[{"index":0,"delta":{"content":"a"}}]}`+"\n\nevent: error\ndata: "+data+"\n\n")
		_, err := readStream(s)
		if pe := providerError(t, err); pe.Class != gateway.ClassStreamError || !errors.Is(err, gateway.ErrStreamError) || !pe.Retryable() {
			t.Fatalf("%s: %+v", data, pe)
		}
	}
}

// TestChatStreamUsageUnknown: a compatible server may end after the finish
// reason without usage; the answer says so with nil usage.
func TestChatStreamUsageUnknown(t *testing.T) {
	body := `data: {"id":"x","model":"m","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]}` + "\n\n"
	resp, err := gateway.Collect(streamOf(t, "openai_compatible", body), 1<<10)
	if err != nil || resp.Usage != nil {
		t.Fatalf("got %+v, %v", resp, err)
	}
	resp, err = gateway.Collect(streamOf(t, "openai_compatible", body+`data: {"id":"x","choices":[],"usage":{"prompt_tokens":0,"completion_tokens":0}}`+"\n\n"), 1<<10)
	if err != nil || resp.Usage == nil {
		t.Fatalf("reported zero usage: %+v, %v", resp, err)
	}
}

// TestChatStreamSlowConsumer: the idle watchdog measures the upstream's
// silence, not the time the consumer takes between events (a slow client
// downstream). The upstream here is never silent for more than a fifth of
// the idle timeout; the consumer takes more than twice it per event.
func TestChatStreamSlowConsumer(t *testing.T) {
	const idle, gap, pause, n = 100 * time.Millisecond, 20 * time.Millisecond, 250 * time.Millisecond, 5
	fake := newFake(t)
	fake.Handle("trickle", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		for i := range n {
			fmt.Fprintf(w, "data: {\"id\":\"x\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%d\"}}]}\n\n", i)
			rc.Flush()
			time.Sleep(gap)
		}
		io.WriteString(w, chunks(`{"id":"x","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`))
	})
	p := newProvider(t, fake, func(c *Config) { c.StreamIdleTimeout = idle })
	s, err := p.ChatStream(context.Background(), chatRequest("trickle"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var text strings.Builder
	for {
		ev, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %q: %v", text.String(), err)
		}
		text.WriteString(ev.Text)
		time.Sleep(pause)
	}
	if text.String() != "01234" {
		t.Fatalf("text %q", text.String())
	}
}
