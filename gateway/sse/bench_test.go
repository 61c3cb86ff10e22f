package sse

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http/httptest"
	"testing"
)

var sinkInt int

// chunkStream is n OpenAI-style chunks.
func chunkStream(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token %d\"},\"finish_reason\":null}]}\n\n", i)
	}
	return b.Bytes()
}

// BenchmarkReader reports the cost per event, against the baseline of
// splitting the same bytes into lines with bufio.Scanner (which does no
// field parsing and enforces none of the spec).
func BenchmarkReader(b *testing.B) {
	const events = 1000
	in := chunkStream(events)
	var base float64
	b.Run("baseline-bufio-scanner", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			s := bufio.NewScanner(bytes.NewReader(in))
			for s.Scan() {
				sinkInt += len(s.Bytes())
			}
		}
		base = perEvent(b, events)
	})
	b.Run("reader", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		src := &rewinder{b: in}
		r := NewReader(src, 0)
		for b.Loop() {
			src.off = 0
			r.Reset(src)
			for {
				ev, err := r.Next()
				if err != nil {
					break
				}
				sinkInt += len(ev.Data)
			}
		}
		b.ReportMetric(perEvent(b, events), "ns/event")
		if base > 0 {
			b.ReportMetric(perEvent(b, events)/base, "x-baseline")
		}
	})
}

func BenchmarkWriter(b *testing.B) {
	data := []byte(`{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"token"},"finish_reason":null}]}`)
	rec := httptest.NewRecorder()
	w := NewWriter(rec)
	b.ReportAllocs()
	for b.Loop() {
		rec.Body.Reset()
		if err := w.Data(data); err != nil {
			b.Fatal(err)
		}
	}
}

func perEvent(b *testing.B, events int) float64 {
	return float64(b.Elapsed().Nanoseconds()) / float64(max(b.N, 1)*events)
}
