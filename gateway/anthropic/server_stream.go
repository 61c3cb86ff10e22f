package anthropic

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/sse"
)

// ErrStreamEnded is returned by Encode once the stream has ended (Close,
// Fail, or a finish reason of gateway.FinishError), and by Close for a
// stream it had to fail for want of a finish reason. Nothing more can be
// sent; the caller should stop reading its upstream.
var ErrStreamEnded = errors.New("anthropic: the client stream has ended")

// errIncomplete is the failure reported for a stream closed before its
// finish reason.
var errIncomplete = gateway.NewError("", gateway.ClassBadResponse, gateway.ErrStreamTruncated)

// errBadEvent is the failure reported for an event no provider may send
// (a tool call index out of bounds).
var errBadEvent = gateway.NewError("", gateway.ClassBadResponse, gateway.ErrInvalidJSON)

// Tool call states in the encoder.
const (
	toolUnknown uint8 = iota
	toolPending       // started, content_block_start not sent yet
	toolOpen
	toolClosed
)

// toolState is what the encoder remembers of one canonical tool call.
type toolState struct {
	state    uint8
	block    int
	id, name string // while pending
	args     jsonEnd
}

// jsonEnd follows the arguments of a tool call as they stream, with
// constant memory, to tell when they form a complete JSON object or
// array: nothing valid can follow, so the block can be closed.
type jsonEnd struct {
	began, scalar, inString, escaped, complete bool
	depth                                      int
}

func (j *jsonEnd) feed(s string) {
	for i := 0; i < len(s) && !j.complete; i++ {
		c := s[i]
		switch {
		case j.inString:
			switch {
			case j.escaped:
				j.escaped = false
			case c == '\\':
				j.escaped = true
			case c == '"':
				j.inString = false
			}
			continue
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		}
		if !j.began {
			j.began = true
			j.scalar = c != '{' && c != '['
		}
		switch c {
		case '"':
			j.inString = true
		case '{', '[':
			j.depth++
		case '}', ']':
			j.depth--
			if j.depth == 0 && !j.scalar {
				j.complete = true
			}
		}
	}
}

// StreamEncoder writes gateway Events as an Anthropic Messages event
// stream: message_start, then content blocks (content_block_start, deltas,
// content_block_stop) for text and for each tool call, then message_delta
// with the stop reason and usage, then message_stop, which tells the
// client its answer is complete. Events are written by hand into one
// reused buffer: no reflection and no allocation per event. It writes
// nothing until the first event, so a failure before that can still be
// answered with a proper error status (see Fail).
//
// Streams from any provider are accepted: several tool calls, text after
// tool calls (a new text block), tool call events interleaved, usage
// before or after the finish reason, or none. A tool_use block is opened
// once its call's ID and name are complete (at its first argument
// fragment, or at the next other event); a text block is closed when a
// tool call opens, and a tool_use block when its arguments form a whole
// JSON value and another block opens, so a stream whose calls come one
// after another is encoded block after block, as Anthropic streams. A
// name fragment after the block opened, and argument fragments after its
// arguments were complete and it was closed, are dropped. message_start
// reports no usage (it is known only at the end); message_delta carries
// the final totals, input included, as Anthropic's does.
type StreamEncoder struct {
	sw       *sse.Writer
	w        http.ResponseWriter
	model    string
	buf      []byte
	started  bool // message_start was written
	blocks   []bool
	text     int // the open text block, or -1
	tools    []toolState
	pending  []int // tool calls started and not yet opened, in order
	usage    gateway.Usage
	hasUsage bool
	finish   gateway.FinishReason
	finished bool
	done     bool
}

// NewStreamEncoder returns an encoder on w. model, when not empty, is the
// model named to the client (the one it asked for), else the one the
// stream's start event names.
func NewStreamEncoder(w http.ResponseWriter, model string) *StreamEncoder {
	return &StreamEncoder{sw: sse.NewWriter(w), w: w, model: model, text: -1}
}

// Started reports whether anything has been written.
func (e *StreamEncoder) Started() bool { return e.sw.Started() }

// Encode writes the events for ev. A finish reason of gateway.FinishError
// ends the stream as Fail does and returns ErrStreamEnded; so does any
// Encode after the stream ended, and a tool call index out of bounds.
func (e *StreamEncoder) Encode(ev gateway.Event) error {
	if e.done {
		return ErrStreamEnded
	}
	switch ev.Type {
	case gateway.EventFinish:
		if ev.Finish == gateway.FinishError {
			return e.fail(errFinishedWithError)
		}
	case gateway.EventToolCallStart, gateway.EventToolCallDelta:
		if ev.Index < 0 || ev.Index >= gateway.MaxToolCalls {
			return e.fail(errBadEvent)
		}
	}
	if err := e.start(ev); err != nil {
		return err
	}
	switch ev.Type {
	case gateway.EventText:
		if ev.Index != 0 || ev.Text == "" {
			return nil // only choice 0 exists
		}
		if err := e.openPending(); err != nil {
			return err
		}
		if e.text < 0 {
			if err := e.openText(); err != nil {
				return err
			}
		}
		return e.delta(e.text, `{"type":"text_delta","text":`, ev.Text)
	case gateway.EventToolCallStart:
		return e.toolStart(ev)
	case gateway.EventToolCallDelta:
		return e.toolDelta(ev)
	case gateway.EventFinish:
		e.finish, e.finished = ev.Finish, true
	case gateway.EventUsage:
		e.usage, e.hasUsage = ev.Usage, true
	}
	return nil
}

// fail ends the stream with err and reports ErrStreamEnded.
func (e *StreamEncoder) fail(err error) error {
	if ferr := e.Fail(err); ferr != nil {
		return ferr
	}
	return ErrStreamEnded
}

// start writes message_start before the first event: with the ID and
// model of ev when it is the start event.
func (e *StreamEncoder) start(ev gateway.Event) error {
	if e.started {
		return nil
	}
	e.started = true
	if ev.Type != gateway.EventStart {
		ev = gateway.Event{}
	}
	b := append(e.buf[:0], `{"type":"message_start","message":{"id":`...)
	b = appendString(b, messageID(ev.ID))
	b = append(b, `,"type":"message","role":"assistant","model":`...)
	b = appendString(b, or(e.model, ev.Model))
	b = append(b, `,"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}`...)
	return e.write("message_start", b)
}

// toolStart records a tool call's ID and name while it is pending; other
// pending calls, which appeared before it, are opened first.
func (e *StreamEncoder) toolStart(ev gateway.Event) error {
	for len(e.tools) <= ev.Index {
		e.tools = append(e.tools, toolState{})
	}
	t := &e.tools[ev.Index]
	switch t.state {
	case toolUnknown:
		if err := e.openPending(); err != nil {
			return err
		}
		t = &e.tools[ev.Index]
		t.state, t.id, t.name = toolPending, ev.ID, ev.Name
		e.pending = append(e.pending, ev.Index)
	case toolPending:
		if t.id == "" {
			t.id = ev.ID
		}
		t.name += ev.Name
	}
	return nil
}

// toolDelta writes an argument fragment, opening the call's block first.
func (e *StreamEncoder) toolDelta(ev gateway.Event) error {
	for len(e.tools) <= ev.Index {
		e.tools = append(e.tools, toolState{})
	}
	if e.tools[ev.Index].state == toolUnknown {
		if err := e.openPending(); err != nil {
			return err
		}
		e.tools[ev.Index].state = toolPending
		e.pending = append(e.pending, ev.Index)
	}
	if e.tools[ev.Index].state == toolPending {
		if err := e.openPending(); err != nil {
			return err
		}
	}
	t := &e.tools[ev.Index]
	if t.state != toolOpen || ev.Text == "" {
		return nil
	}
	t.args.feed(ev.Text)
	return e.delta(t.block, `{"type":"input_json_delta","partial_json":`, ev.Text)
}

// openPending opens the blocks of every pending tool call, in order.
func (e *StreamEncoder) openPending() error {
	for k := 0; k < len(e.pending); k++ {
		t := &e.tools[e.pending[k]]
		if err := e.closeFinished(); err != nil {
			return err
		}
		t.state, t.block = toolOpen, e.newBlock()
		b := append(e.buf[:0], `{"type":"content_block_start","index":`...)
		b = strconv.AppendInt(b, int64(t.block), 10)
		b = appendString(append(b, `,"content_block":{"type":"tool_use","id":`...), toolUseID(t.id))
		b = appendString(append(b, `,"name":`...), t.name)
		b = append(b, `,"input":{}}}`...)
		t.id, t.name = "", ""
		if err := e.write("content_block_start", b); err != nil {
			return err
		}
	}
	e.pending = e.pending[:0]
	return nil
}

// openText opens a text block.
func (e *StreamEncoder) openText() error {
	if err := e.closeFinished(); err != nil {
		return err
	}
	e.text = e.newBlock()
	b := append(e.buf[:0], `{"type":"content_block_start","index":`...)
	b = strconv.AppendInt(b, int64(e.text), 10)
	b = append(b, `,"content_block":{"type":"text","text":""}}`...)
	return e.write("content_block_start", b)
}

// newBlock returns the index of a new open block.
func (e *StreamEncoder) newBlock() int {
	e.blocks = append(e.blocks, true)
	return len(e.blocks) - 1
}

// closeFinished closes, before another block opens, the blocks that
// cannot receive anything more: the text block, and tool_use blocks whose
// arguments are whole.
func (e *StreamEncoder) closeFinished() error {
	if e.text >= 0 {
		if err := e.closeBlock(e.text); err != nil {
			return err
		}
		e.text = -1
	}
	for i := range e.tools {
		if t := &e.tools[i]; t.state == toolOpen && t.args.complete {
			t.state = toolClosed
			if err := e.closeBlock(t.block); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *StreamEncoder) closeBlock(i int) error {
	e.blocks[i] = false
	b := append(e.buf[:0], `{"type":"content_block_stop","index":`...)
	b = append(strconv.AppendInt(b, int64(i), 10), '}')
	return e.write("content_block_stop", b)
}

// delta writes a content_block_delta; delta is raw JSON that the string
// text completes.
func (e *StreamEncoder) delta(block int, delta, text string) error {
	b := append(e.buf[:0], `{"type":"content_block_delta","index":`...)
	b = strconv.AppendInt(b, int64(block), 10)
	b = append(append(b, `,"delta":`...), delta...)
	b = append(appendString(b, text), '}', '}')
	return e.write("content_block_delta", b)
}

func (e *StreamEncoder) write(event string, b []byte) error {
	e.buf = b
	return e.sw.Event(event, "", b)
}

// Close ends a complete stream: the open blocks are closed, then
// message_delta (stop reason and usage, zeros if none was reported) and
// message_stop. A stream with no finish reason is not complete: Close then
// fails it (an error event, or a 502 if nothing was written yet) without
// message_stop, and returns ErrStreamEnded.
func (e *StreamEncoder) Close() error {
	if e.done {
		return nil
	}
	if !e.finished {
		return e.fail(errIncomplete)
	}
	if err := e.start(gateway.Event{}); err != nil {
		return err
	}
	if err := e.openPending(); err != nil {
		return err
	}
	e.done = true
	for i, open := range e.blocks {
		if open {
			if err := e.closeBlock(i); err != nil {
				return err
			}
		}
	}
	b := append(e.buf[:0], `{"type":"message_delta","delta":{"stop_reason":`...)
	b = appendString(b, wireStop(e.finish))
	b = append(b, `,"stop_sequence":null},"usage":`...)
	if e.hasUsage {
		b = appendUsage(b, &e.usage)
	} else {
		b = append(b, `{"output_tokens":0}`...)
	}
	if err := e.write("message_delta", append(b, '}')); err != nil {
		return err
	}
	return e.write("message_stop", append(e.buf[:0], `{"type":"message_stop"}`...))
}

// Fail ends the stream with err. Before anything was written it answers
// with the error's status, as a non-streamed request would; after, it
// sends an error event ({"type": "error", "error": {…}}, which Anthropic
// SDKs raise) and no message_stop, so the client knows the answer is
// incomplete.
func (e *StreamEncoder) Fail(err error) error {
	if e.done {
		return nil
	}
	e.done = true
	ae := ErrorFromProvider(err)
	if !e.Started() {
		WriteAPIError(e.w, ae)
		return nil
	}
	return e.write("error", appendError(e.buf[:0], ae))
}
