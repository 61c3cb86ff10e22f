package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
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
	p := newProvider(b, fake)
	req := chatRequest("chat_text")
	buf, err := p.chatBody(req, false)
	if err != nil {
		b.Fatal(err)
	}
	body := append([]byte(nil), buf.Bytes()...)
	var base float64
	b.Run("baseline-bare-post", func(b *testing.B) {
		for b.Loop() {
			resp, err := client.Post(fake.URL+"/chat/completions", "application/json", bytes.NewReader(body))
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

// streamBody is n text chunks shaped like OpenAI's, then finish, usage
// and [DONE].
func streamBody(n int) []byte {
	const p = `"id":"chatcmpl-CQb3Gx1yZ2aB3cD4eF5gH6iJ7kL8m","object":"chat.completion.chunk","created":1760433165,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_560af6e559"`
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "data: {%s,\"choices\":[{\"index\":0,\"delta\":{\"content\":\" token%d\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null,\"obfuscation\":\"a1\"}\n\n", p, i)
	}
	fmt.Fprintf(&b, "data: {%s,\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n", p)
	fmt.Fprintf(&b, "data: {%s,\"choices\":[],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":12,\"total_tokens\":31}}\n\ndata: [DONE]\n\n", p)
	return b.Bytes()
}

// BenchmarkStreamDecode measures the provider's stream parser per chunk,
// in memory, against the SSE framing alone (the floor any parser pays).
func BenchmarkStreamDecode(b *testing.B) {
	const chunks = 1000
	body := streamBody(chunks)
	p := &Provider{name: "bench", v: OpenAI, idle: time.Hour}
	var base float64
	b.Run("baseline-sse-framing", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		r := sse.NewReader(nil, maxChunk)
		for b.Loop() {
			r.Reset(bytes.NewReader(body))
			for {
				if _, err := r.Next(); err != nil {
					break
				}
			}
		}
		base = perOp(b) / chunks
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
		per := perOp(b) / chunks
		b.ReportMetric(per, "ns/chunk")
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
	fixed := []byte(`{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":" token1"},"logprobs":null,"finish_reason":null}]}`)
	w := &discardWriter{h: http.Header{}}
	var base float64
	b.Run("baseline-sse-writer", func(b *testing.B) {
		for b.Loop() {
			sw := sse.NewWriter(w)
			for range events {
				sw.Data(fixed)
			}
		}
		base = perOp(b) / events
	})
	b.Run("stream-encoder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			enc := NewStreamEncoder(w, true)
			enc.Encode(gateway.Event{Type: gateway.EventStart, ID: "chatcmpl-1", Model: "gpt-4o-mini"})
			for _, ev := range evs {
				enc.Encode(ev)
			}
			enc.Encode(gateway.Event{Type: gateway.EventFinish, Finish: gateway.FinishStop})
			if err := enc.Close(); err != nil {
				b.Fatal(err)
			}
		}
		per := perOp(b) / events
		b.ReportMetric(per, "ns/event")
		if base > 0 {
			b.ReportMetric(per/base, "x-baseline")
		}
	})
}

type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Flush()                      {}

// heapInUse forces a collection and returns the live heap.
func heapInUse() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// settle waits until the goroutines of closed streams (client and fake
// server) have exited, so that one measurement does not count the last.
func settle(goroutines int) {
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > goroutines && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
}

// BenchmarkStreamMemory opens concurrent streams to the fake upstream,
// reads the first event of each and measures the live heap they hold. The
// baseline holds the same number of bare HTTP streams open (a response
// whose first 4 KiB were read). Both include the in-process fake server's
// share (its goroutines and buffers), so "added-B/stream" is what the
// provider adds; "parser-B/stream" is the provider's stream alone, with no
// connection.
func BenchmarkStreamMemory(b *testing.B) {
	const streams = 200
	fake := newFake(b)
	fake.StopRecording()
	client := gateway.NewHTTPClient(gateway.HTTPOptions{AllowLoopbackHTTP: true})
	p := newProvider(b, fake)
	req := chatRequest("stream_hang")
	body, _ := p.chatBody(req, true)
	raw := append([]byte(nil), body.Bytes()...)
	idle := runtime.NumGoroutine()
	measure := func(b *testing.B, open func() func()) float64 {
		var per float64
		for b.Loop() {
			settle(idle + 4)
			before := heapInUse()
			closeAll := open()
			per = float64(heapInUse()-before) / streams
			closeAll()
		}
		return per
	}
	var base float64
	b.Run("baseline-bare-http", func(b *testing.B) {
		base = measure(b, func() func() {
			var open []*http.Response
			for range streams {
				resp, err := client.Post(fake.URL+"/chat/completions", "application/json", bytes.NewReader(raw))
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Read(make([]byte, 4096))
				open = append(open, resp)
			}
			return func() {
				for _, r := range open {
					r.Body.Close()
				}
			}
		})
		b.ReportMetric(base, "B/stream")
	})
	b.Run("provider-stream", func(b *testing.B) {
		per := measure(b, func() func() {
			var open []gateway.Stream
			for range streams {
				s, err := p.ChatStream(context.Background(), req)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Next(); err != nil {
					b.Fatal(err)
				}
				open = append(open, s)
			}
			return func() {
				for _, s := range open {
					s.Close()
				}
			}
		})
		b.ReportMetric(per, "B/stream")
		if base > 0 {
			b.ReportMetric(per/base, "x-baseline")
			b.ReportMetric(per-base, "added-B/stream")
		}
	})
	b.Run("parser-only", func(b *testing.B) {
		one := []byte(strings.SplitAfter(string(streamBody(1)), "\n\n")[0])
		pp := &Provider{name: "bench", v: OpenAI, idle: time.Hour}
		var per float64
		for b.Loop() {
			before := heapInUse()
			open := make([]*stream, streams)
			for i := range open {
				open[i] = nopStream(pp, append([]byte(nil), one...))
				open[i].Next()
			}
			per = float64(heapInUse()-before) / streams
			runtime.KeepAlive(open)
		}
		b.ReportMetric(per, "parser-B/stream")
	})
}

// chatBodyForBench is a realistic request: a system prompt, a 20-turn
// conversation, an inline image, a tool call and its result, two tools.
func chatBodyForBench() []byte {
	var b bytes.Buffer
	b.WriteString(`{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a careful editor. Keep British spelling."}`)
	for i := range 20 {
		role := []string{"user", "assistant"}[i%2]
		fmt.Fprintf(&b, `,{"role":%q,"content":"Turn %d: %s"}`, role, i, strings.Repeat("a few words of the draft, ", 8))
	}
	b.WriteString(`,{"role":"user","content":[{"type":"text","text":"What is in this image?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,` + strings.Repeat("iVBORw0K", 512) + `","detail":"low"}}]}`)
	b.WriteString(`,{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"cat\"}"}}]}`)
	b.WriteString(`,{"role":"tool","tool_call_id":"call_1","content":"A tabby cat."}]`)
	b.WriteString(`,"tools":[{"type":"function","function":{"name":"lookup","description":"Look a note up","parameters":{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}}},{"type":"function","function":{"name":"open","parameters":{"type":"object"}}}]`)
	b.WriteString(`,"temperature":0.3,"max_completion_tokens":400,"stream":true,"stream_options":{"include_usage":true},"user":"u-1","store":true}`)
	return b.Bytes()
}

// BenchmarkDecodeChatRequest compares DecodeChatRequest (strict, bounded,
// validated) with a bare json.Unmarshal of the same body into a generic
// value, which checks nothing.
func BenchmarkDecodeChatRequest(b *testing.B) {
	body := chatBodyForBench()
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
	b.Run("decode-chat-request", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := DecodeChatRequest(bytes.NewReader(body), 0); err != nil {
				b.Fatal(err)
			}
		}
		if base > 0 {
			b.ReportMetric(perOp(b)/base, "x-baseline")
		}
	})
}
