package sse

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestReaderSpec(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []refEvent
	}{
		{"one", "data: hello\n\n", []refEvent{{"", "hello", ""}}},
		{"no space", "data:hello\n\n", []refEvent{{"", "hello", ""}}},
		{"one space only", "data:  two\n\n", []refEvent{{"", " two", ""}}},
		{"multi-line", "data: a\ndata: b\ndata:\n\n", []refEvent{{"", "a\nb\n", ""}}},
		{"empty data dispatches", "data\n\n", []refEvent{{"", "", ""}}},
		{"event and id", "event: delta\nid: 7\ndata: {}\n\n", []refEvent{{"delta", "{}", "7"}}},
		{"id persists, type resets", "event: a\nid: 1\ndata: x\n\ndata: y\n\n", []refEvent{{"a", "x", "1"}, {"", "y", "1"}}},
		{"id with NUL ignored", "id: 1\ndata: x\n\nid: 2\x003\ndata: y\n\n", []refEvent{{"", "x", "1"}, {"", "y", "1"}}},
		{"empty id resets", "id: 1\ndata: x\n\nid\ndata: y\n\n", []refEvent{{"", "x", "1"}, {"", "y", ""}}},
		{"comments", ": ping\n:\ndata: x\n: more\n\n", []refEvent{{"", "x", ""}}},
		{"unknown fields", "foo: bar\ndata: x\nDATA: y\n\n", []refEvent{{"", "x", ""}}},
		{"no data, no event", "event: a\n\ndata: x\n\n", []refEvent{{"", "x", ""}}},
		{"CRLF", "data: a\r\ndata: b\r\n\r\n", []refEvent{{"", "a\nb", ""}}},
		{"CR", "data: a\rdata: b\r\r", []refEvent{{"", "a\nb", ""}}},
		{"mixed", "data: a\r\n\rdata: b\n\r\n", []refEvent{{"", "a", ""}, {"", "b", ""}}},
		{"BOM", "\uFEFFdata: x\n\n", []refEvent{{"", "x", ""}}},
		{"second BOM is data", "\uFEFF\uFEFFdata: x\n\n", nil},
		{"unterminated last event dropped", "data: x\n\ndata: y\n", []refEvent{{"", "x", ""}}},
		{"unterminated last line dropped", "data: x\n\ndata: y", []refEvent{{"", "x", ""}}},
		{"colon in value", "data: a:b: c\n\n", []refEvent{{"", "a:b: c", ""}}},
		{"invalid UTF-8 type", "event: \xff\ndata: x\n\n", []refEvent{{"\uFFFD", "x", ""}}},
		{"done marker", "data: {\"a\":1}\n\ndata: [DONE]\n\n", []refEvent{{"", `{"a":1}`, ""}, {"", "[DONE]", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ref := refParse([]byte(tt.in)); len(ref) != len(tt.want) {
				t.Fatalf("reference parser disagrees with the table: %q", ref)
			}
			for _, sizes := range [][]int{{1 << 20}, {1}, {2, 3}, {7}} {
				got, err := readAll(NewReader(&chunked{b: []byte(tt.in), sizes: sizes}, 0))
				if err != nil {
					t.Fatalf("sizes %v: %v", sizes, err)
				}
				mustEqualEvents(t, got, tt.want)
			}
		})
	}
}

func TestReaderCRLFSplitAcrossReads(t *testing.T) {
	// The CR ends one read and the LF starts the next: one line break,
	// not two (which would dispatch an event early).
	in := "data: a\r\ndata: b\r\n\r\n"
	got, err := readAll(NewReader(iotest.OneByteReader(strings.NewReader(in)), 0))
	if err != nil {
		t.Fatal(err)
	}
	mustEqualEvents(t, got, []refEvent{{"", "a\nb", ""}})
}

func TestReaderLimits(t *testing.T) {
	const max = 100
	tests := []struct {
		name    string
		in      []byte
		wantErr error
		events  int
	}{
		{"data at limit", append(append([]byte("data: "), repeat("x", max)...), "\n\n"...), nil, 1},
		{"data over limit", append(append([]byte("data: "), repeat("x", max+1)...), "\n\n"...), ErrEventTooLarge, 0},
		{"many lines over limit", append(repeat("data: xxxxxxxxx\n", 11), '\n'), ErrEventTooLarge, 0},
		{"huge comment", append(append([]byte(":"), repeat("x", 10*max)...), '\n'), ErrEventTooLarge, 0},
		{"huge line, no newline", repeat("x", 10*max), ErrEventTooLarge, 0},
		{"events before the big one", append([]byte("data: ok\n\n"), append(repeat("data: xxxxxxxxxxxxxxxxxxx\n", 6), '\n')...), ErrEventTooLarge, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(&chunked{b: tt.in, sizes: []int{13}}, max)
			got, err := readAll(r)
			if !errors.Is(err, tt.wantErr) || len(got) != tt.events {
				t.Fatalf("got %d events, err %v; want %d, %v", len(got), err, tt.events, tt.wantErr)
			}
			if len(r.buf) > max+maxLineSlack+1 {
				t.Fatalf("buffer grew to %d bytes, limit %d", len(r.buf), max)
			}
			if tt.wantErr != nil {
				if _, err2 := r.Next(); !errors.Is(err2, tt.wantErr) {
					t.Fatalf("error not sticky: %v", err2)
				}
			}
		})
	}
}

func TestReaderRetryAndReset(t *testing.T) {
	r := NewReader(strings.NewReader("retry: 1500\nretry: x\ndata: a\n\n"), 0)
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if r.Retry() != 1500*time.Millisecond {
		t.Fatalf("Retry = %v", r.Retry())
	}
	r.Reset(strings.NewReader("data: b\n\n"))
	ev, err := r.Next()
	if err != nil || string(ev.Data) != "b" || r.Retry() != 0 {
		t.Fatalf("after Reset: %q, %v, retry %v", ev.Data, err, r.Retry())
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestReaderErrors(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader("data: a\n\ndata: b\n"), errReader{boom}), 0)
	ev, err := r.Next()
	if err != nil || string(ev.Data) != "a" {
		t.Fatalf("first event %q, %v", ev.Data, err)
	}
	if _, err := r.Next(); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the read error", err)
	}
	r = NewReader(errReader{nil}, 0) // (0, nil) forever
	if _, err := r.Next(); !errors.Is(err, errNoProgress) {
		t.Fatalf("got %v, want errNoProgress", err)
	}
}

func TestReaderAllocations(t *testing.T) {
	in := []byte(strings.Repeat("event: delta\ndata: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n", 200))
	src := &rewinder{b: in}
	r := NewReader(src, 0)
	allocs := testing.AllocsPerRun(20, func() {
		src.off = 0
		r.Reset(src)
		for {
			if _, err := r.Next(); err != nil {
				break
			}
		}
	})
	// The first event of each stream allocates its type string; the 199
	// others reuse it, and data is copied into a reused buffer.
	if allocs > 2 {
		t.Fatalf("%v allocations per 200-event stream, want ≤ 2", allocs)
	}
}

type rewinder struct {
	b   []byte
	off int
}

func (r *rewinder) Read(p []byte) (int, error) {
	if r.off >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.off:])
	r.off += n
	return n, nil
}
