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
	// One watchdog: first it bounds the wait for headers, then the silence
	// between events.
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
	watchdog.Reset(p.idle)
	return newStream(ctx, p, resp.Body, watchdog, abort), nil
}

// newStream reads events from body. watchdog is reset on every event;
// abort releases the request when the stream ends.
func newStream(ctx context.Context, p *Provider, body io.ReadCloser, watchdog *time.Timer, abort func()) *stream {
	return &stream{p: p, ctx: ctx, body: body, sse: sse.NewReader(body, maxChunk), watchdog: watchdog, abort: abort}
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
	calls    [gateway.MaxToolCalls / 64]uint64 // tool call indexes opened
	closed   bool
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
	ev, err := s.sse.Next()
	if err != nil {
		return s.endError(err)
	}
	s.watchdog.Reset(s.p.idle)
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
	s.resetChunk()
	if err := unmarshal(data, &s.chunk); err != nil {
		return s.p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
	}
	if s.chunk.Error != nil || ev.Type == "error" {
		if s.chunk.Error == nil {
			s.chunk.Error = &wireError{}
		}
		return s.p.streamError(s.chunk.Error)
	}
	return s.queueChunk(&s.chunk)
}

// endError maps the end of the body, or a read failure.
func (s *stream) endError(err error) error {
	switch {
	case errors.Is(err, io.EOF):
		if s.finished && !s.p.v.RequireDone {
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
	if c.Usage != nil {
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventUsage, Usage: c.Usage.canonical()})
	}
	return nil
}

func (s *stream) queueChoice(c *wireChunkChoice) error {
	if c.Index != 0 {
		return nil // n is never sent, so only choice 0 exists
	}
	if t := c.Delta.Content + c.Delta.Refusal; t != "" {
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventText, Text: t})
	}
	for _, tc := range c.Delta.ToolCalls {
		i := tc.Index
		if i < 0 || i >= gateway.MaxToolCalls {
			return s.p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
		}
		if bit := uint64(1) << (i % 64); s.calls[i/64]&bit == 0 && (tc.ID != "" || tc.Function.Name != "") {
			s.calls[i/64] |= bit
			s.queue = append(s.queue, gateway.Event{Type: gateway.EventToolCallStart, Index: i, ID: tc.ID, Name: tc.Function.Name})
		}
		if tc.Function.Arguments != "" {
			s.queue = append(s.queue, gateway.Event{Type: gateway.EventToolCallDelta, Index: i, Text: tc.Function.Arguments})
		}
	}
	if c.FinishReason != "" && !s.finished {
		s.finished = true
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventFinish, Finish: finishReason(c.FinishReason, s.calls != [gateway.MaxToolCalls / 64]uint64{})})
	}
	return nil
}
