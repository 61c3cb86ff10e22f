package gemini

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
)

// streamBody is n text chunks shaped like Gemini's, each with the running
// usage, the last with the finish reason.
func streamBody(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		finish := ""
		if i == n-1 {
			finish = `,"finishReason":"STOP"`
		}
		fmt.Fprintf(&b, `data: {"candidates":[{"content":{"parts":[{"text":" token%d"}],"role":"model"}%s,"index":0}],`+
			`"usageMetadata":{"promptTokenCount":11,"candidatesTokenCount":%d,"totalTokenCount":%d,"promptTokensDetails":[{"modality":"TEXT","tokenCount":11}],"thoughtsTokenCount":300},`+
			`"modelVersion":"gemini-2.5-flash","responseId":"uL3taKK_Ld2gz7IPhZzJqQk"}`+"\r\n\r\n", i, finish, i+1, 312+i)
	}
	return b.Bytes()
}

var sinkEvent gateway.Event

// BenchmarkStreamParse reads a 200-chunk stream from memory: the cost of
// the SSE framing, the JSON of each chunk and the events, without a
// network.
func BenchmarkStreamParse(b *testing.B) {
	body := streamBody(200)
	p := &Provider{name: "bench", idle: time.Hour}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		s := nopStream(p, body)
		for {
			ev, err := s.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			sinkEvent = ev
		}
		s.Close()
	}
}

// BenchmarkChatStream streams the same 200 chunks from the fake upstream
// through the Provider, and compares it with a bare net/http POST that
// reads the same stream: "added-µs" is what the provider adds per stream.
func BenchmarkChatStream(b *testing.B) {
	fake := newFake(b)
	fake.StopRecording()
	body := streamBody(200)
	fake.Handle("bench", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write(body)
	})
	client := gateway.NewHTTPClient(gateway.HTTPOptions{AllowLoopbackHTTP: true})
	var base float64
	b.Run("baseline-bare-post", func(b *testing.B) {
		for b.Loop() {
			resp, err := client.Post(fake.URL+"/v1beta/models/bench:streamGenerateContent?alt=sse", "application/json", bytes.NewReader([]byte(`{}`)))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		base = float64(b.Elapsed().Nanoseconds()) / float64(max(b.N, 1))
	})
	b.Run("provider-stream", func(b *testing.B) {
		p := newProvider(b, fake)
		req := chatRequest("bench")
		b.ReportAllocs()
		for b.Loop() {
			s, err := p.ChatStream(context.Background(), req)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for {
				ev, err := s.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				sinkEvent = ev
				n++
			}
			s.Close()
			if n != 203 {
				b.Fatalf("%d events", n)
			}
		}
		if per := float64(b.Elapsed().Nanoseconds()) / float64(max(b.N, 1)); base > 0 {
			b.ReportMetric((per-base)/1e3, "added-µs")
		}
	})
}
