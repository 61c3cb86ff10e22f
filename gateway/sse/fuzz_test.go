package sse

import (
	"errors"
	"testing"
)

func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"data: x\n\n", "data: a\r\ndata: b\r\n\r\n", "\uFEFFevent: e\rid: 1\rdata\r\r",
		": c\n\ndata:\ndata: \n\n", "id: \x00\ndata: y\n\n", "retry: 12\ndata: [DONE]\n\n",
		"data: x\n", "\r\n\r\n\n\r", "\xEF\xBB", "event:\xff\xfe\ndata:1\n\n",
	} {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, chunk uint8) {
		want := refParse(in)
		got, err := readAll(NewReader(&chunked{b: in, sizes: []int{int(chunk), 1, 5}}, 1<<20))
		if err != nil {
			t.Fatalf("unlimited read: %v", err)
		}
		mustEqualEvents(t, got, want)

		// With a small limit the reader may stop early, but only with
		// ErrEventTooLarge, only after a prefix of the same events, and
		// only when some event or line really is larger than the limit.
		const small = 16
		got, err = readAll(NewReader(&chunked{b: in, sizes: []int{int(chunk)}}, small))
		if len(got) > len(want) {
			t.Fatalf("limited reader returned %d events, reference %d", len(got), len(want))
		}
		mustEqualEvents(t, got, want[:len(got)])
		if err == nil && len(got) != len(want) {
			t.Fatalf("limited reader stopped silently after %d of %d events", len(got), len(want))
		}
		if err != nil && (!errors.Is(err, ErrEventTooLarge) || !exceeds(in, small)) {
			t.Fatalf("limited reader failed with %v on input within limits", err)
		}
	})
}

// exceeds reports whether in has a line longer than the line limit or an
// event whose data is longer than max.
func exceeds(in []byte, max int) bool {
	line, data := 0, 0
	for i := 0; i < len(in); i++ {
		switch in[i] {
		case '\r', '\n':
			if line == 0 {
				data = 0
			} else if len(in) > i-line+4 && string(in[i-line:i-line+4]) == "data" {
				data += line - 4
			}
			line = 0
		default:
			line++
			if line > max+maxLineSlack || data+line > max {
				return true
			}
		}
	}
	return line > max+maxLineSlack
}
