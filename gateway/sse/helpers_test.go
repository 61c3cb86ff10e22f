package sse

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// refEvent is an event as the reference parser sees it.
type refEvent struct {
	Type, Data, ID string
}

// refParse is the spec's algorithm written the obvious way, on the whole
// input at once, with no limits: it is what Reader must agree with.
func refParse(in []byte) []refEvent {
	s := strings.TrimPrefix(string(in), "\uFEFF")
	var lines []string
	for {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			break // an unterminated last line is never processed
		}
		lines = append(lines, s[:i])
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		s = s[i+1:]
	}
	var (
		out           []refEvent
		data, typ, id string
		hasData       bool
	)
	for _, l := range lines {
		if l == "" {
			if hasData {
				out = append(out, refEvent{typ, strings.TrimSuffix(data, "\n"), id})
			}
			data, typ, hasData = "", "", false
			continue
		}
		if l[0] == ':' {
			continue
		}
		name, value, found := strings.Cut(l, ":")
		if found {
			value = strings.TrimPrefix(value, " ")
		}
		switch name {
		case "data":
			data += value + "\n"
			hasData = true
		case "event":
			typ = strings.ToValidUTF8(value, "\uFFFD")
		case "id":
			if !strings.Contains(value, "\x00") {
				id = strings.ToValidUTF8(value, "\uFFFD")
			}
		}
	}
	return out
}

// readAll reads every event from r, copying data, until an error.
func readAll(r *Reader) ([]refEvent, error) {
	var out []refEvent
	for {
		ev, err := r.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return out, err
		}
		out = append(out, refEvent{ev.Type, string(ev.Data), ev.ID})
	}
}

// chunked splits its input into reads of the given sizes, cycling.
type chunked struct {
	b     []byte
	sizes []int
	i     int
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := c.sizes[c.i%len(c.sizes)]
	c.i++
	n = min(max(n, 1), len(p), len(c.b))
	copy(p, c.b[:n])
	c.b = c.b[n:]
	return n, nil
}

func mustEqualEvents(t *testing.T, got, want []refEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d events %q, want %d %q", len(got), got, len(want), want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("event %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// repeat returns n copies of s as bytes.
func repeat(s string, n int) []byte { return bytes.Repeat([]byte(s), n) }
