package sse

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriterRoundTrip(t *testing.T) {
	events := []refEvent{
		{"", "hello", ""},
		{"content_block_delta", `{"a":1}`, "42"},
		{"", "line1\nline2\r\nline3\rline4", ""},
		{"", "", ""},
		{"", "trailing\n", ""},
		{"", ": not a comment", "43"},
	}
	rec := httptest.NewRecorder()
	w := NewWriter(rec)
	if w.Started() {
		t.Fatal("started before the first event")
	}
	for _, e := range events {
		if err := w.Event(e.Type, e.ID, []byte(e.Data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Comment("keep-alive"); err != nil {
		t.Fatal(err)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") || !rec.Flushed {
		t.Fatalf("Content-Type %q, flushed %v", ct, rec.Flushed)
	}
	got, err := readAll(NewReader(rec.Body, 0))
	if err != nil {
		t.Fatal(err)
	}
	// Line breaks in data come back as LF, and IDs persist, as the spec says.
	want := []refEvent{
		{"", "hello", ""},
		{"content_block_delta", `{"a":1}`, "42"},
		{"", "line1\nline2\nline3\nline4", "42"},
		{"", "", "42"},
		{"", "trailing\n", "42"},
		{"", ": not a comment", "43"},
	}
	mustEqualEvents(t, got, want)
}

func TestWriterRefusesInjection(t *testing.T) {
	rec := httptest.NewRecorder()
	w := NewWriter(rec)
	for _, c := range []struct{ typ, id, comment string }{
		{typ: "x\ndata: forged"}, {typ: "x\r"}, {id: "1\n"}, {id: "1\x00"}, {comment: "a\nevent: b"},
	} {
		var err error
		if c.comment != "" {
			err = w.Comment(c.comment)
		} else {
			err = w.Event(c.typ, c.id, []byte("x"))
		}
		if !errors.Is(err, ErrInvalidField) {
			t.Errorf("%+v: got %v, want ErrInvalidField", c, err)
		}
	}
	if rec.Body.Len() != 0 || w.Started() {
		t.Fatalf("refused events wrote %q", rec.Body.String())
	}
}

// noFlush is a ResponseWriter that cannot flush.
type noFlush struct {
	h http.Header
	b bytes.Buffer
}

func (n *noFlush) Header() http.Header         { return n.h }
func (n *noFlush) Write(p []byte) (int, error) { return n.b.Write(p) }
func (n *noFlush) WriteHeader(int)             {}

func TestWriterWithoutFlusher(t *testing.T) {
	n := &noFlush{h: http.Header{}}
	if err := NewWriter(n).Data([]byte("x")); err != nil {
		t.Fatalf("a writer that cannot flush must still work: %v", err)
	}
	if n.b.String() != "data: x\n\n" {
		t.Fatalf("wrote %q", n.b.String())
	}
}
