package sse

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"time"
)

// DefaultMaxEvent is the event size limit NewReader uses when given 0.
const DefaultMaxEvent = 1 << 20

// ErrEventTooLarge is returned when a line or an event exceeds the limit.
var ErrEventTooLarge = errors.New("sse: event exceeds the size limit")

// errNoProgress guards against readers that return (0, nil) forever.
var errNoProgress = errors.New("sse: reader returned no data")

// Event is one dispatched event.
type Event struct {
	// Type is the event field, or "" when absent (the spec's "message").
	Type string
	// Data is the data lines joined with "\n". It is only valid until the
	// next call to Next.
	Data []byte
	// ID is the last event ID seen on the stream so far.
	ID string
}

// Reader parses an event stream. It is not safe for concurrent use.
type Reader struct {
	rd      io.Reader
	buf     []byte
	r, w    int
	max     int
	data    []byte
	typ     string
	typSeen string // the last event type parsed, reused when it repeats
	lastID  string
	retry   time.Duration
	err     error // from rd; returned once buffered input is used
	fatal   error // sticky: every later Next returns it
	started bool  // BOM check done
	skipLF  bool  // last line ended with CR: a leading LF is part of it
}

// NewReader returns a Reader of rd that refuses events larger than
// maxEvent bytes (DefaultMaxEvent if 0).
func NewReader(rd io.Reader, maxEvent int) *Reader {
	if maxEvent <= 0 {
		maxEvent = DefaultMaxEvent
	}
	return &Reader{rd: rd, buf: make([]byte, min(4096, maxEvent+64)), max: maxEvent}
}

// Reset makes r read a new stream from rd, keeping its buffers.
func (r *Reader) Reset(rd io.Reader) {
	*r = Reader{rd: rd, buf: r.buf, data: r.data[:0], max: r.max}
}

// Retry returns the last valid reconnection time the stream sent, or 0.
func (r *Reader) Retry() time.Duration { return r.retry }

// Next returns the next event. At the end of the stream it returns io.EOF,
// discarding an unfinished event as the spec requires; a read error, or
// ErrEventTooLarge, is returned as is and again on every later call.
func (r *Reader) Next() (Event, error) {
	if r.fatal != nil {
		return Event{}, r.fatal
	}
	r.data, r.typ = r.data[:0], ""
	hasData := false
	for {
		line, err := r.readLine()
		if err != nil {
			r.fatal = err
			return Event{}, err
		}
		if len(line) == 0 {
			if !hasData {
				r.typ = ""
				continue
			}
			return Event{Type: r.typ, Data: bytes.TrimSuffix(r.data, []byte{'\n'}), ID: r.lastID}, nil
		}
		if line[0] == ':' {
			continue
		}
		field, value := line, []byte(nil)
		if i := bytes.IndexByte(line, ':'); i >= 0 {
			field, value = line[:i], line[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		if err := r.field(field, value, &hasData); err != nil {
			r.fatal = err
			return Event{}, err
		}
	}
}

// field applies one field line.
func (r *Reader) field(name, value []byte, hasData *bool) error {
	switch string(name) {
	case "data":
		if len(r.data)+len(value)+1 > r.max+1 {
			return ErrEventTooLarge
		}
		r.data = append(append(r.data, value...), '\n')
		*hasData = true
	case "event":
		r.typSeen = reuse(r.typSeen, value)
		r.typ = r.typSeen
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			r.lastID = reuse(r.lastID, value)
		}
	case "retry":
		if ms, ok := digits(value); ok {
			r.retry = time.Duration(ms) * time.Millisecond
		}
	}
	return nil
}

// reuse returns prev if it equals b (no allocation), else b as valid UTF-8.
func reuse(prev string, b []byte) string {
	if string(b) == prev {
		return prev
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// digits parses a non-empty run of ASCII digits of sane length.
func digits(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 12 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
