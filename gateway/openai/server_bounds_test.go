package openai

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"
)

// allocRatio is the bound on bytes allocated per byte of request body
// while decoding a hostile body. Decoding keeps a buffer of the element
// being read (grown by doubling, so up to about 2x what it holds) and
// copies strings out of it; everything else is capped by count. Before
// arrays were bounded while decoded, these bodies allocated about 100x
// their size (3.3 GB for 31 MiB of "{},").
const allocRatio = 8

// bodyOf builds a body of about size bytes: head, then item repeated with
// commas, then tail.
func bodyOf(head, item, tail string, size int) []byte {
	n := (size - len(head) - len(tail)) / (len(item) + 1)
	var b bytes.Buffer
	b.Grow(size)
	b.WriteString(head)
	b.WriteString(strings.Repeat(item+",", n-1))
	b.WriteString(item)
	b.WriteString(tail)
	return b.Bytes()
}

// allocated returns the bytes allocated while f runs.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestDecodeBoundedAllocation sends near-limit bodies of tiny array
// elements at every array of the request: each must be refused with the
// OpenAI 400 that names the array, having allocated a small multiple of
// the body, not of the element count.
func TestDecodeBoundedAllocation(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates tens of MiB")
	}
	const size = DefaultRequestLimit - 1024
	msg := `{"role":"user","content":"x"}`
	tests := []struct {
		name  string
		body  []byte
		embed bool
		param string // "" for a request that is accepted
	}{
		{"one long text", []byte(`{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("x", size-64) + `"}]}`), false, ""},
		{"messages", bodyOf(`{"model":"m","messages":[`, `{}`, `]}`, size), false, "messages"},
		{"content parts", bodyOf(`{"model":"m","messages":[{"role":"user","content":[`, `{}`, `]}]}`, size), false, "messages[0].content"},
		{"tool calls", bodyOf(`{"model":"m","messages":[{"role":"assistant","tool_calls":[`, `{}`, `]}]}`, size), false, "messages[0].tool_calls"},
		{"parts across messages", bodyOf(`{"model":"m","messages":[`, `{"role":"user","content":[`+strings.Repeat(`{},`, maxParts-1)+`{}]}`, `]}`, size), false, "messages"},
		{"tools", bodyOf(`{"model":"m","messages":[`+msg+`],"tools":[`, `{}`, `]}`, size), false, "tools"},
		{"stop", bodyOf(`{"model":"m","messages":[`+msg+`],"stop":[`, `""`, `]}`, size), false, "stop"},
		{"embedding input", bodyOf(`{"model":"m","input":[`, `""`, `]}`, size), true, "input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			n := allocated(func() {
				if tt.embed {
					_, _, err = DecodeEmbedRequest(bytes.NewReader(tt.body), DefaultRequestLimit)
				} else {
					_, _, err = DecodeChatRequest(bytes.NewReader(tt.body), DefaultRequestLimit)
				}
			})
			var ae *APIError
			switch {
			case tt.param == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.param != "" && (!errors.As(err, &ae) || ae.Status != 400 || ae.Code != "invalid_value" || ae.Param != tt.param):
				t.Fatalf("got %v, want a 400 invalid_value about %s", err, tt.param)
			}
			t.Logf("%s: %.2fx", tt.name, float64(n)/float64(len(tt.body)))
			if ratio := float64(n) / float64(len(tt.body)); ratio > allocRatio {
				t.Fatalf("allocated %d MiB for a %d MiB body (%.1fx, bound %dx)", n>>20, len(tt.body)>>20, ratio, allocRatio)
			}
		})
	}
}
