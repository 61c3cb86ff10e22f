package anthropic

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/sse"
)

var sinkEvent gateway.Event

// perOp is the mean time of one iteration in nanoseconds.
func perOp(b *testing.B) float64 {
	return float64(b.Elapsed().Nanoseconds()) / float64(max(b.N, 1))
}

// BenchmarkChat compares a non-streamed Chat through the Provider with a
// bare net/http POST of the same body to the same fake upstream, over the
// same client: "added-µs" is what the provider adds per call (building the
// JSON from the canonical request, reading and converting the answer).
func BenchmarkChat(b *testing.B) {
	fake := newFake(b)
	fake.StopRecording()
	client := gateway.NewHTTPClient(gateway.HTTPOptions{AllowLoopbackHTTP: true})
	p := newProvider(b, fake, func(c *Config) { c.Client = client })
	req := chatRequest("messages_text")
	buf, err := p.messagesBody(req, false)
	if err != nil {
		b.Fatal(err)
	}
	body := append([]byte(nil), buf.Bytes()...)
	var base float64
	b.Run("baseline-bare-post", func(b *testing.B) {
		for b.Loop() {
			resp, err := client.Post(fake.URL+pathMessages, "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		base = perOp(b)
	})
	b.Run("provider-chat", func(b *testing.B) {
		b.ReportAllocs()
		ctx := context.Background()
		for b.Loop() {
			if _, err := p.Chat(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
		if base > 0 {
			b.ReportMetric(perOp(b)/base, "x-baseline")
			b.ReportMetric((perOp(b)-base)/1e3, "added-µs")
		}
	})
}

// streamBody is n text deltas shaped like Anthropic's, between the
// message and block framing.
func streamBody(n int) []byte {
	var b bytes.Buffer
	b.WriteString("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01Gv3EpW7aDy1SbCx9QuVj2S\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":21,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1}}}\n\n")
	b.WriteString("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n")
	for i := range n {
		fmt.Fprintf(&b, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" token%d\"}}\n\n", i)
	}
	b.WriteString("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n")
	b.WriteString("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":1000}}\n\n")
	b.WriteString("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
	return b.Bytes()
}

// BenchmarkStreamDecode measures the provider's stream parser per event,
// in memory, against the SSE framing alone (the floor any parser pays).
// The one allocation per text event is the text itself.
func BenchmarkStreamDecode(b *testing.B) {
	const events = 1000
	body := streamBody(events)
	p := &Provider{name: "bench", idle: time.Hour}
	var base float64
	b.Run("baseline-sse-framing", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		r := sse.NewReader(nil, maxEvent)
		for b.Loop() {
			r.Reset(bytes.NewReader(body))
			for {
				if _, err := r.Next(); err != nil {
					break
				}
			}
		}
		base = perOp(b) / events
	})
	b.Run("provider-stream", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			s := nopStream(p, body)
			for {
				ev, err := s.Next()
				if err != nil {
					if err != io.EOF {
						b.Fatal(err)
					}
					break
				}
				sinkEvent = ev
			}
			s.Close()
		}
		per := perOp(b) / events
		b.ReportMetric(per, "ns/event")
		b.ReportMetric(float64(testing.AllocsPerRun(3, func() {
			s := nopStream(p, body)
			for {
				if _, err := s.Next(); err != nil {
					break
				}
			}
		}))/events, "allocs/event")
		if base > 0 {
			b.ReportMetric(per/base, "x-baseline")
		}
	})
}

// BenchmarkStreamEncode measures StreamEncoder per event against writing
// the same number of fixed SSE events.
func BenchmarkStreamEncode(b *testing.B) {
	const events = 1000
	evs := make([]gateway.Event, events)
	for i := range evs {
		evs[i] = gateway.Event{Type: gateway.EventText, Text: fmt.Sprintf(" token%d", i)}
	}
	fixed := []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" token1"}}`)
	w := &discardWriter{h: http.Header{}}
	var base float64
	b.Run("baseline-sse-writer", func(b *testing.B) {
		for b.Loop() {
			sw := sse.NewWriter(w)
			for range events {
				sw.Event("content_block_delta", "", fixed)
			}
		}
		base = perOp(b) / events
	})
	run := func() {
		enc := NewStreamEncoder(w, "claude-sonnet-4-5")
		enc.Encode(gateway.Event{Type: gateway.EventStart, ID: "msg_01Gv3EpW7aDy1SbCx9QuVj2S", Model: "claude-sonnet-4-5"})
		for _, ev := range evs {
			enc.Encode(ev)
		}
		enc.Encode(gateway.Event{Type: gateway.EventFinish, Finish: gateway.FinishStop})
		enc.Encode(gateway.Event{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 21, OutputTokens: 1000}})
		if err := enc.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("stream-encoder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			run()
		}
		per := perOp(b) / events
		b.ReportMetric(per, "ns/event")
		b.ReportMetric(testing.AllocsPerRun(3, run)/events, "allocs/event")
		if base > 0 {
			b.ReportMetric(per/base, "x-baseline")
		}
	})
}

// TestStreamAllocations pins the allocation budgets the benchmarks
// report: the decoder allocates only each event's text, the encoder
// nothing per event once its buffer has grown.
func TestStreamAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	const events = 1000
	body := streamBody(events)
	p := &Provider{name: "t", idle: time.Hour}
	perEvent := testing.AllocsPerRun(5, func() {
		s := nopStream(p, body)
		for {
			if _, err := s.Next(); err != nil {
				break
			}
		}
	}) / events
	if perEvent > 1.1 {
		t.Errorf("stream decoder: %.2f allocations per event, want at most 1 (the text)", perEvent)
	}
	w := &discardWriter{h: http.Header{}}
	enc := NewStreamEncoder(w, "m")
	enc.Encode(gateway.Event{Type: gateway.EventText, Text: "warm up the buffer"})
	ev := gateway.Event{Type: gateway.EventText, Text: " token"}
	if n := testing.AllocsPerRun(100, func() { enc.Encode(ev) }); n != 0 {
		t.Errorf("stream encoder: %v allocations per event", n)
	}
}

type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Flush()                      {}

// requestBodyForBench is a realistic request: a system prompt, a 20-turn
// conversation, an inline image, a tool call and its result, two tools.
func requestBodyForBench() []byte {
	var b bytes.Buffer
	b.WriteString(`{"model":"claude-sonnet-4-5","max_tokens":400,"stream":true,"system":[{"type":"text","text":"You are a careful editor. Keep British spelling.","cache_control":{"type":"ephemeral"}}],"messages":[`)
	for i := range 20 {
		role := []string{"user", "assistant"}[i%2]
		fmt.Fprintf(&b, `{"role":%q,"content":"Turn %d: %s"},`, role, i, strings.Repeat("a few words of the draft, ", 8))
	}
	b.WriteString(`{"role":"user","content":[{"type":"text","text":"What is in this image?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"` + strings.Repeat("iVBORw0K", 512) + `"}}]}`)
	b.WriteString(`,{"role":"assistant","content":[{"type":"tool_use","id":"toolu_01","name":"lookup","input":{"q":"cat"}}]}`)
	b.WriteString(`,{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":"A tabby cat."}]}]`)
	b.WriteString(`,"tools":[{"name":"lookup","description":"Look a note up","input_schema":{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}},{"name":"open","input_schema":{"type":"object"}}]`)
	b.WriteString(`,"temperature":0.3,"metadata":{"user_id":"u-1"}}`)
	return b.Bytes()
}

// BenchmarkDecodeMessagesRequest compares DecodeMessagesRequest (strict,
// bounded, validated) with a bare json.Unmarshal of the same body into a
// generic value, which checks nothing.
func BenchmarkDecodeMessagesRequest(b *testing.B) {
	body := requestBodyForBench()
	var base float64
	b.Run("baseline-json-unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				b.Fatal(err)
			}
		}
		base = perOp(b)
	})
	b.Run("decode-messages-request", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			r, _ := http.NewRequest("POST", "/anthropic/v1/messages", bytes.NewReader(body))
			if _, err := DecodeMessagesRequest(r, Limits{}); err != nil {
				b.Fatal(err)
			}
		}
		if base > 0 {
			b.ReportMetric(perOp(b)/base, "x-baseline")
		}
	})
}
