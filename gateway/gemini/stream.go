package gemini

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/sse"
)

// maxChunk bounds one SSE event from the upstream. Text chunks are small,
// but a function call arrives whole, arguments and all, in one chunk.
const maxChunk = 4 << 20

// ChatStream sends a streamGenerateContent request with alt=sse. It
// returns once the upstream answered with a success status and an event
// stream; a refusal before that is returned here, not from the Stream.
func (p *Provider) ChatStream(ctx context.Context, req *gateway.ChatRequest) (gateway.Stream, error) {
	model, buf, err := p.chatBody(req)
	if err != nil {
		return nil, err
	}
	ctx, stopDeadline := context.WithTimeout(ctx, p.streamMax)
	ctx, cancel := context.WithCancelCause(ctx)
	// One watchdog: first it bounds the wait for headers (and for an
	// access token), then each wait for the upstream's next chunk, and
	// only that: the consumer's pace is not the upstream's silence.
	watchdog := time.AfterFunc(p.timeout, func() { cancel(gateway.ErrIdleTimeout) })
	abort := func() {
		watchdog.Stop()
		cancel(nil)
		stopDeadline()
	}
	resp, err := p.postJSON(ctx, p.endpoint(model, "streamGenerateContent")+"?alt=sse", buf, "text/event-stream")
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
	return newStream(ctx, p, model, resp.Body, watchdog, abort), nil
}

// newStream reads chunks from body. watchdog runs only while a read from
// the upstream is blocked; abort releases the request when the stream
// ends.
func newStream(ctx context.Context, p *Provider, model string, body io.ReadCloser, watchdog *time.Timer, abort func()) *stream {
	return &stream{p: p, ctx: ctx, model: model, body: body, sse: sse.NewReader(body, maxChunk), watchdog: watchdog, abort: abort}
}

// notAStream handles a 200 that is not an event stream: an error object,
// or anything else, which breaks the wire format.
func (p *Provider) notAStream(ctx context.Context, resp *http.Response) error {
	var w inErrorBody
	if err := p.readJSON(ctx, resp, &w); err != nil {
		return err
	}
	if w.Error != nil {
		return p.streamError(w.Error)
	}
	return p.badResponse(resp.StatusCode, gateway.ErrInvalidJSON)
}

// stream reads a Gemini event stream: each data line is a whole
// GenerateContentResponse holding the next piece of the answer. Text is
// passed on as it comes; a function call arrives whole and becomes an
// EventToolCallStart and one EventToolCallDelta. Every chunk may carry
// usage, cumulative, so only the last is reported, once, at the end. The
// finish reason comes on the last chunk, and the stream ends at EOF: an
// EOF before a finish reason is gateway.ErrStreamTruncated. Content after
// the finish reason is ignored.
type stream struct {
	p        *Provider
	ctx      context.Context
	model    string
	body     io.ReadCloser
	sse      *sse.Reader
	watchdog *time.Timer
	abort    func()

	chunk    inResponse
	queue    []gateway.Event
	next     int
	err      error // sticky: io.EOF or the failure
	usage    *gateway.Usage
	calls    int
	started  bool
	finished bool
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
	if len(data) == 0 {
		return nil
	}
	s.resetChunk()
	if json.Unmarshal(data, &s.chunk) != nil {
		return s.p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
	}
	if s.chunk.Error != nil {
		return s.p.streamError(s.chunk.Error)
	}
	return s.queueChunk(&s.chunk)
}

// endError maps the end of the body, or a read failure. A complete
// stream ends with its usage.
func (s *stream) endError(err error) error {
	switch {
	case errors.Is(err, io.EOF):
		if !s.finished {
			return s.truncated(nil)
		}
		if s.usage != nil {
			s.queue = append(s.queue, gateway.Event{Type: gateway.EventUsage, Usage: *s.usage})
		}
		return io.EOF
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
	c := s.chunk.Candidates[:cap(s.chunk.Candidates)]
	clear(c)
	s.chunk = inResponse{Candidates: c[:0]}
}

// queueChunk turns one chunk into events.
func (s *stream) queueChunk(c *inResponse) error {
	if !s.started {
		s.started = true
		model := c.ModelVersion
		if model == "" {
			model = s.model
		}
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventStart, ID: c.ResponseID, Model: model})
	}
	if c.UsageMetadata != nil {
		s.usage = c.UsageMetadata.canonical()
	}
	if s.finished {
		return nil
	}
	if c.blocked() {
		s.finished = true
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventFinish, Finish: gateway.FinishContentFilter})
		return nil
	}
	cand := c.candidate()
	if cand == nil {
		return nil
	}
	for i := range cand.Content.Parts {
		part := &cand.Content.Parts[i]
		switch {
		case part.Thought:
		case part.FunctionCall != nil:
			if s.calls == gateway.MaxToolCalls {
				return s.p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
			}
			fc := part.FunctionCall
			s.queue = append(s.queue,
				gateway.Event{Type: gateway.EventToolCallStart, Index: s.calls, ID: callID(fc.ID), Name: fc.Name},
				gateway.Event{Type: gateway.EventToolCallDelta, Index: s.calls, Text: callArgs(fc.Args)})
			s.calls++
		case part.Text != "":
			s.queue = append(s.queue, gateway.Event{Type: gateway.EventText, Text: part.Text})
		}
	}
	if cand.FinishReason != "" {
		s.finished = true
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventFinish, Finish: finishReason(cand.FinishReason, s.calls > 0)})
	}
	return nil
}
