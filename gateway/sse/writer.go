package sse

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
)

// ErrInvalidField is returned for an event name or ID that contains a line
// break (or, for IDs, NUL): written as is, it would forge other fields.
var ErrInvalidField = errors.New("sse: event name or ID contains a line break")

// Writer writes events to an HTTP response, flushing after each one.
// It is not safe for concurrent use.
type Writer struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	buf     []byte
	started bool
}

// NewWriter returns a Writer on w. Nothing is written until the first
// event, so the caller can still answer with an error until then.
func NewWriter(w http.ResponseWriter) *Writer {
	return &Writer{w: w, rc: http.NewResponseController(w)}
}

// Started reports whether the response headers have been sent.
func (w *Writer) Started() bool { return w.started }

// Start sends the status line and the event-stream headers, if not yet
// sent: Content-Type, no caching, and no buffering by reverse proxies.
func (w *Writer) Start() {
	if w.started {
		return
	}
	w.started = true
	h := w.w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	h.Del("Content-Length")
	w.w.WriteHeader(http.StatusOK)
}

// Data writes an event with only a data field.
func (w *Writer) Data(data []byte) error { return w.Event("", "", data) }

// Event writes one event: the event and id fields when not empty, then
// data split into one data line per line of data (LF, CR or CRLF), then the
// blank line that dispatches it, and flushes.
func (w *Writer) Event(typ, id string, data []byte) error {
	if strings.ContainsAny(typ, "\r\n") || strings.ContainsAny(id, "\r\n\x00") {
		return ErrInvalidField
	}
	b := w.buf[:0]
	if typ != "" {
		b = append(append(append(b, "event: "...), typ...), '\n')
	}
	if id != "" {
		b = append(append(append(b, "id: "...), id...), '\n')
	}
	b = appendData(b, data)
	w.buf = append(b, '\n')
	return w.write()
}

// Comment writes a comment line (a keep-alive that clients ignore).
func (w *Writer) Comment(text string) error {
	if strings.ContainsAny(text, "\r\n") {
		return ErrInvalidField
	}
	w.buf = append(append(append(w.buf[:0], ": "...), text...), '\n', '\n')
	return w.write()
}

func (w *Writer) write() error {
	w.Start()
	if _, err := w.w.Write(w.buf); err != nil {
		return err
	}
	if err := w.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

// appendData appends one "data: " line per line of data.
func appendData(b, data []byte) []byte {
	for {
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			return append(append(append(b, "data: "...), data...), '\n')
		}
		b = append(append(append(b, "data: "...), data[:i]...), '\n')
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
}
