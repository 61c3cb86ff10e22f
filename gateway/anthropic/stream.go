package anthropic

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

// maxEvent bounds one SSE event from the upstream. An event carries a few
// tokens; 1 MiB is far beyond any honest one.
const maxEvent = 1 << 20

// maxBlocks bounds the content block indexes a stream may use; indexes
// come from upstream and must not size memory.
const maxBlocks = 1024

// ChatStream sends a streamed Messages request. It returns once the
// upstream answered with a success status and an event stream; a refusal
// before that is returned here, not from the Stream.
func (p *Provider) ChatStream(ctx context.Context, req *gateway.ChatRequest) (gateway.Stream, error) {
	buf, err := p.messagesBody(req, true)
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
	resp, err := p.postJSON(ctx, p.base+pathMessages, buf, "text/event-stream")
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
	return newStream(ctx, p, resp.Body, resp.Header, watchdog, abort), nil
}

// notAStream handles a 200 that is not an event stream: an error object,
// or anything else (a whole message is not what was asked for).
func (p *Provider) notAStream(ctx context.Context, resp *http.Response) error {
	header := resp.Header
	var w wireErrorBody
	if err := p.readJSON(ctx, resp, &w); err != nil {
		return err
	}
	if w.Error != nil {
		return p.streamError(w.Error, header)
	}
	return p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
}

// newStream reads events from body. watchdog runs only while a read from
// the upstream is blocked; abort releases the request when the stream
// ends.
func newStream(ctx context.Context, p *Provider, body io.ReadCloser, h http.Header, watchdog *time.Timer, abort func()) *stream {
	return &stream{p: p, ctx: ctx, body: body, header: h, sse: sse.NewReader(body, maxEvent), watchdog: watchdog, abort: abort}
}

// Block kinds, as a stream tracks its content blocks.
const (
	blockNone uint8 = iota
	blockText
	blockTool
	blockOther // thinking, redacted_thinking, server tools: ignored
)

// block is what the stream remembers of one content block.
type block struct {
	kind uint8
	args bool // a tool_use block sent arguments
	call int  // the tool call number of a tool_use block
}

// stream reads an Anthropic Messages event stream.
//
// Tool calls are numbered densely in the order their tool_use blocks
// start, whatever the block indexes. A tool_use block that closes without
// any arguments gets "{}", as the non-streamed answer has. Text and tool
// calls after the finish reason (message_delta) are ignored; usage is
// reported once, with the final totals, when message_stop ends the
// stream.
type stream struct {
	p        *Provider
	ctx      context.Context
	body     io.ReadCloser
	header   http.Header
	sse      *sse.Reader
	watchdog *time.Timer
	abort    func()

	ev       wireEvent
	queue    []gateway.Event
	next     int
	err      error // sticky: io.EOF or the failure
	started  bool
	finished bool
	closed   bool

	blocks []block
	calls  int
	usage  usageTotals
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
// io.EOF after message_stop, or the error that ends the stream.
func (s *stream) advance() error {
	s.watchdog.Reset(s.p.idle)
	ev, err := s.sse.Next()
	s.watchdog.Stop()
	if err != nil {
		return s.endError(err)
	}
	data := bytes.TrimSpace(ev.Data)
	if ev.Type == "error" {
		return s.p.streamError(errorEvent(data), s.header)
	}
	if len(data) == 0 || ev.Type == "ping" {
		return nil
	}
	s.ev = wireEvent{Index: -1}
	if err := unmarshal(data, &s.ev); err != nil {
		return s.p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
	}
	return s.queueEvent(&s.ev, ev.Type)
}

// errorEvent reads the data of an "event: error": {"type": "error",
// "error": {…}}, the bare error object, or anything else (plain text from
// a proxy), which is still an error reported inside the stream.
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

// start queues EventStart once, before anything else.
func (s *stream) start(id, model string) {
	if !s.started {
		s.started = true
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventStart, ID: id, Model: model})
	}
}

// queueEvent turns one event into canonical events. The type in the data
// names the event; the SSE event name stands in when it is missing.
func (s *stream) queueEvent(ev *wireEvent, name string) error {
	typ := ev.Type
	if typ == "" {
		typ = name
	}
	switch typ {
	case "message_start":
		if m := ev.Message; m != nil {
			s.start(m.ID, m.Model)
			s.usage.add(m.Usage)
		}
		s.start("", "")
	case "content_block_start":
		return s.blockStart(ev)
	case "content_block_delta":
		return s.blockDelta(ev)
	case "content_block_stop":
		return s.blockStop(ev)
	case "message_delta":
		s.start("", "")
		s.usage.add(ev.Usage)
		if r := ev.Delta.StopReason; r != nil && *r != "" && !s.finished {
			s.finished = true
			s.queue = append(s.queue, gateway.Event{Type: gateway.EventFinish, Finish: finishReason(*r, s.calls > 0)})
		}
	case "message_stop":
		s.start("", "")
		if !s.finished {
			s.finished = true // complete, with no reason given
			s.queue = append(s.queue, gateway.Event{Type: gateway.EventFinish, Finish: finishReason("", s.calls > 0)})
		}
		if s.usage.seen {
			s.queue = append(s.queue, gateway.Event{Type: gateway.EventUsage, Usage: s.usage.canonical()})
		}
		return io.EOF
	case "error":
		if ev.Error != nil {
			return s.p.streamError(ev.Error, s.header)
		}
		return s.p.streamError(&wireError{}, s.header)
	}
	return nil // ping, and event types added after this package
}

// blockAt returns the block at the event's index, making room for it; an
// index out of bounds or missing is a malformed stream.
func (s *stream) blockAt(ev *wireEvent) (*block, error) {
	i := ev.Index
	if i < 0 || i >= maxBlocks {
		return nil, s.p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
	}
	for len(s.blocks) <= i {
		s.blocks = append(s.blocks, block{})
	}
	return &s.blocks[i], nil
}

func (s *stream) blockStart(ev *wireEvent) error {
	b, err := s.blockAt(ev)
	if err != nil {
		return err
	}
	s.start("", "")
	cb := ev.ContentBlock
	if cb == nil || s.finished {
		b.kind = blockOther
		return nil
	}
	switch cb.Type {
	case "text":
		b.kind = blockText
		if cb.Text != "" {
			s.queue = append(s.queue, gateway.Event{Type: gateway.EventText, Text: cb.Text})
		}
	case "tool_use":
		if s.calls == gateway.MaxToolCalls {
			return s.p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
		}
		*b = block{kind: blockTool, call: s.calls}
		s.calls++
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventToolCallStart, Index: b.call, ID: cb.ID, Name: cb.Name})
		// Anthropic starts with "input": {} and streams the arguments;
		// some compatible servers put the whole input here instead.
		if in := bytes.TrimSpace(cb.Input); len(in) > 0 && !isEmptyObject(in) && string(in) != "null" {
			b.args = true
			s.queue = append(s.queue, gateway.Event{Type: gateway.EventToolCallDelta, Index: b.call, Text: toolArguments(in)})
		}
	default:
		b.kind = blockOther
	}
	return nil
}

// isEmptyObject reports whether b is {} (with any inner white space).
func isEmptyObject(b []byte) bool {
	return len(b) >= 2 && b[0] == '{' && b[len(b)-1] == '}' && len(bytes.TrimSpace(b[1:len(b)-1])) == 0
}

func (s *stream) blockDelta(ev *wireEvent) error {
	b, err := s.blockAt(ev)
	if err != nil {
		return err
	}
	s.start("", "")
	if s.finished {
		return nil
	}
	switch ev.Delta.Type {
	case "text_delta":
		if ev.Delta.Text != "" && b.kind != blockTool && b.kind != blockOther {
			s.queue = append(s.queue, gateway.Event{Type: gateway.EventText, Text: ev.Delta.Text})
		}
	case "input_json_delta":
		if ev.Delta.PartialJSON != "" && b.kind == blockTool {
			b.args = true
			s.queue = append(s.queue, gateway.Event{Type: gateway.EventToolCallDelta, Index: b.call, Text: ev.Delta.PartialJSON})
		}
	}
	// thinking_delta, signature_delta, citations_delta: not decoded.
	return nil
}

func (s *stream) blockStop(ev *wireEvent) error {
	b, err := s.blockAt(ev)
	if err != nil {
		return err
	}
	if b.kind == blockTool && !b.args && !s.finished {
		b.args = true
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventToolCallDelta, Index: b.call, Text: "{}"})
	}
	return nil
}
