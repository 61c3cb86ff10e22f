package openai

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/sse"
)

// maxChunk bounds one SSE event from the upstream. A chunk carries a few
// tokens; 1 MiB is far beyond any honest one.
const maxChunk = 1 << 20

// ChatStream sends a streamed chat completion. It returns once the
// upstream answered with a success status and an event stream; a refusal
// before that is returned here, not from the Stream. The request asks for
// usage at the end (stream_options.include_usage) whatever the client
// wanted, so that every stream can be metered.
func (p *Provider) ChatStream(ctx context.Context, req *gateway.ChatRequest) (gateway.Stream, error) {
	buf, err := p.chatBody(req, true)
	if err != nil {
		return nil, gateway.NewError(p.name, gateway.ClassInvalidRequest, err)
	}
	ctx, stopDeadline := context.WithTimeout(ctx, p.streamMax)
	ctx, cancel := context.WithCancelCause(ctx)
	// One watchdog: first it bounds the wait for headers, then each wait
	// for the upstream's next event (and only that: the time the consumer
	// takes between two calls to Next is not the upstream's silence).
	watchdog := time.AfterFunc(p.timeout, func() { cancel(gateway.ErrIdleTimeout) })
	abort := func() {
		watchdog.Stop()
		cancel(nil)
		stopDeadline()
	}
	resp, err := p.postJSON(ctx, p.endpoint(pathChat, req.Model), buf, "text/event-stream")
	if err != nil {
		abort()
		return nil, err
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "text/event-stream") {
		err := p.notAStream(ctx, resp)
		abort()
		return nil, err
	}
	watchdog.Stop()
	return newStream(ctx, p, resp.Body, watchdog, abort), nil
}

// newStream reads events from body. watchdog runs only while a read from
// the upstream is blocked; abort releases the request when the stream
// ends.
func newStream(ctx context.Context, p *Provider, body io.ReadCloser, watchdog *time.Timer, abort func()) *stream {
	return &stream{p: p, ctx: ctx, body: body, sse: sse.NewReader(body, maxChunk), watchdog: watchdog, abort: abort, last: -1}
}

// notAStream handles a 200 that is not an event stream: an error object
// (some servers answer so), or garbage.
func (p *Provider) notAStream(ctx context.Context, resp *http.Response) error {
	var w wireErrorBody
	if err := p.readJSON(ctx, resp, &w); err != nil {
		return err
	}
	if w.Error != nil {
		return p.streamError(w.Error)
	}
	return p.badResponse(resp.StatusCode, gateway.ErrInvalidJSON)
}

// stream reads an OpenAI chat.completion.chunk stream.
//
// Tool calls are numbered by the stream, densely, in the order they open;
// upstream indexes only say which call a delta continues. A delta with no
// index continues the last call; a delta whose ID differs from the ID of
// the call it would continue opens a new call (servers that send index 0,
// or none, for every call of a parallel turn). A name that arrives after
// the ID, or in pieces, is passed on as a later EventToolCallStart; a
// delta that repeats a call's ID and first name is not a new fragment.
// Text, tool calls and finish reasons after the finish reason are
// ignored: the answer is complete, and only usage and citations may
// follow.
type stream struct {
	p        *Provider
	ctx      context.Context
	body     io.ReadCloser
	sse      *sse.Reader
	watchdog *time.Timer
	abort    func()

	chunk    wireChunk
	queue    []gateway.Event
	next     int
	err      error // sticky: io.EOF or the failure
	started  bool
	finished bool
	cited    bool
	closed   bool

	calls   []toolSlot
	byIndex [gateway.MaxToolCalls]uint8 // upstream index → call number + 1
	last    int                         // the call a delta without index continues, or -1
	called  bool                        // an EventToolCallStart was queued
}

// Next returns the next event; see gateway.Stream.
func (s *stream) Next() (gateway.Event, error) {
	for {
		if s.next < len(s.queue) {
			ev := s.queue[s.next]
			s.queue[s.next] = gateway.Event{} // drop references early
			s.next++
			return ev, nil
		}
		if s.err != nil {
			return gateway.Event{}, s.err
		}
		s.queue, s.next = s.queue[:0], 0
		if err := s.advance(); err != nil {
			s.err = err
			s.release()
		}
	}
}

// Close releases the upstream connection.
func (s *stream) Close() error {
	s.release()
	if s.err == nil {
		s.err = gateway.ErrStreamClosed
	}
	return nil
}

func (s *stream) release() {
	if s.closed {
		return
	}
	s.closed = true
	s.abort()
	s.body.Close()
}

var done = []byte("[DONE]")

// advance reads one upstream event and queues what it says. It returns
// io.EOF at a complete end, or the error that ends the stream.
func (s *stream) advance() error {
	s.watchdog.Reset(s.p.idle)
	ev, err := s.sse.Next()
	s.watchdog.Stop()
	if err != nil {
		return s.endError(err)
	}
	data := bytes.TrimSpace(ev.Data)
	switch {
	case bytes.Equal(data, done):
		if !s.finished {
			return s.truncated(nil)
		}
		return io.EOF
	case len(data) == 0:
		return nil
	}
	if ev.Type == "error" {
		return s.p.streamError(errorEvent(data))
	}
	s.resetChunk()
	if err := unmarshal(data, &s.chunk); err != nil {
		return s.p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
	}
	if s.chunk.Error != nil {
		return s.p.streamError(s.chunk.Error)
	}
	return s.queueChunk(&s.chunk)
}

// errorEvent reads the data of an "event: error": {"error": {…}}, the bare
// error object, or anything else (plain text from a proxy), which is
// still an error reported inside the stream.
func errorEvent(data []byte) *wireError {
	var body wireErrorBody
	if unmarshal(data, &body) == nil && body.Error != nil {
		return body.Error
	}
	var w wireError
	if unmarshal(data, &w) == nil {
		return &w
	}
	return &wireError{}
}

// endError maps the end of the body, or a read failure.
func (s *stream) endError(err error) error {
	switch {
	case errors.Is(err, io.EOF):
		if s.finished && s.p.v.DoneOptional {
			return io.EOF
		}
		return s.truncated(nil)
	case errors.Is(err, sse.ErrEventTooLarge):
		return s.p.badResponse(http.StatusOK, gateway.ErrTooLarge)
	case s.ctx.Err() != nil:
		return gateway.NewTransportError(s.ctx, s.p.name, err)
	}
	return s.truncated(err)
}

func (s *stream) truncated(cause error) error {
	if cause != nil {
		cause = fmt.Errorf("%w: %w", gateway.ErrStreamTruncated, cause)
	} else {
		cause = gateway.ErrStreamTruncated
	}
	return s.p.badResponse(http.StatusOK, cause)
}

// resetChunk clears the reused chunk, including the slice elements that
// encoding/json would otherwise decode into without zeroing.
func (s *stream) resetChunk() {
	ch := s.chunk.Choices[:cap(s.chunk.Choices)]
	clear(ch)
	s.chunk = wireChunk{Choices: ch[:0]}
}

// queueChunk turns one chunk into events.
func (s *stream) queueChunk(c *wireChunk) error {
	if !s.started {
		s.started = true
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventStart, ID: c.ID, Model: c.Model})
	}
	for i := range c.Choices {
		if err := s.queueChoice(&c.Choices[i]); err != nil {
			return err
		}
	}
	if !s.cited && (len(c.Citations) > 0 || len(c.SearchResults) > 0) {
		s.cited = true
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventCitations, Citations: citations(nil, c.SearchResults, c.Citations)})
	}
	// Groq reports the stream's usage in x_groq.usage of its finish chunk,
	// and again, as OpenAI does, in a last chunk of its own when
	// stream_options asked for it: both are passed on, the last one wins.
	if c.XGroq != nil && c.XGroq.Usage != nil {
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventUsage, Usage: *c.XGroq.Usage.canonical()})
	}
	if c.Usage != nil {
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventUsage, Usage: *c.Usage.canonical()})
	}
	return nil
}

func (s *stream) queueChoice(c *wireChunkChoice) error {
	if c.Index != 0 || s.finished {
		return nil // n is never sent, so only choice 0 exists; it ended
	}
	if t := c.Delta.Content + c.Delta.Refusal; t != "" {
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventText, Text: t})
	}
	for i := range c.Delta.ToolCalls {
		if err := s.queueToolCall(&c.Delta.ToolCalls[i]); err != nil {
			return err
		}
	}
	if c.FinishReason != "" {
		s.finished = true
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventFinish, Finish: finishReason(c.FinishReason, s.called)})
	}
	return nil
}
