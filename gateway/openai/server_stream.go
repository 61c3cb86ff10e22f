package openai

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/sse"
)

// StreamEncoder writes gateway Events as OpenAI chat.completion.chunk
// server-sent events, ending with "data: [DONE]" only after a finish
// reason: "[DONE]" tells the client its answer is complete. Chunks are
// written by hand into one reused buffer: no reflection and no allocation
// per event. It writes nothing until the first event, so a failure before
// that can still be answered with a proper error status (see Fail).
type StreamEncoder struct {
	sw           *sse.Writer
	w            http.ResponseWriter
	includeUsage bool
	prefix       []byte // {"id":…,"object":…,"created":…,"model":…,"choices":[
	buf          []byte
	usage        *gateway.Usage
	citations    []gateway.Citation
	finished     bool // a finish reason was encoded
	done         bool // Close or Fail ended the stream
}

// ErrStreamEnded is returned by Encode once the stream has ended (Close,
// Fail, or a finish reason of gateway.FinishError), and by Close for a
// stream it had to fail for want of a finish reason. Nothing more can be
// sent; the caller should stop reading its upstream.
var ErrStreamEnded = errors.New("openai: the client stream has ended")

// errIncomplete is the failure reported for a stream closed before its
// finish reason.
var errIncomplete = gateway.NewError("", gateway.ClassBadResponse, gateway.ErrStreamTruncated)

// NewStreamEncoder returns an encoder on w. includeUsage is the client's
// stream_options.include_usage: the usage chunk is sent only if asked.
func NewStreamEncoder(w http.ResponseWriter, includeUsage bool) *StreamEncoder {
	return &StreamEncoder{sw: sse.NewWriter(w), w: w, includeUsage: includeUsage}
}

// Started reports whether anything has been written.
func (e *StreamEncoder) Started() bool { return e.sw.Started() }

// Encode writes the chunk for ev. Usage and citations are held until the
// end, where OpenAI sends them. A finish reason of gateway.FinishError
// ends the stream as Fail does, with a 502 upstream_error, and returns
// ErrStreamEnded; so does any Encode after the stream ended.
func (e *StreamEncoder) Encode(ev gateway.Event) error {
	if e.done {
		return ErrStreamEnded
	}
	if ev.Type == gateway.EventFinish && ev.Finish == gateway.FinishError {
		if err := e.Fail(errFinishedWithError); err != nil {
			return err
		}
		return ErrStreamEnded
	}
	if e.prefix == nil {
		start := ev
		if ev.Type != gateway.EventStart {
			start = gateway.Event{}
		}
		e.setPrefix(start.ID, start.Model)
	}
	switch ev.Type {
	case gateway.EventStart:
		return e.chunk(`{"role":"assistant","content":""}`, "", "null")
	case gateway.EventText:
		return e.chunk(`{"content":`, ev.Text, "null")
	case gateway.EventToolCallStart:
		return e.toolChunk(ev, true)
	case gateway.EventToolCallDelta:
		return e.toolChunk(ev, false)
	case gateway.EventFinish:
		e.finished = true
		return e.chunk(`{}`, "", strconv.Quote(wireFinish(ev.Finish)))
	case gateway.EventUsage:
		u := ev.Usage
		e.usage = &u
	case gateway.EventCitations:
		e.citations = ev.Citations
	}
	return nil
}

func (e *StreamEncoder) setPrefix(id, model string) {
	b := appendString(append(e.prefix[:0], `{"id":`...), or(id, "chatcmpl-quire"))
	b = append(b, `,"object":"chat.completion.chunk","created":`...)
	b = strconv.AppendInt(b, time.Now().Unix(), 10)
	b = appendString(append(b, `,"model":`...), model)
	e.prefix = append(b, `,"choices":[`...)
}

// chunk writes a one-choice chunk. delta is raw JSON; when it ends with
// ':' the string text completes it.
func (e *StreamEncoder) chunk(delta, text, finish string) error {
	b := append(e.buf[:0], e.prefix...)
	b = append(b, `{"index":0,"delta":`...)
	b = append(b, delta...)
	if delta[len(delta)-1] == ':' {
		b = append(appendString(b, text), '}')
	}
	b = append(b, `,"logprobs":null,"finish_reason":`...)
	b = append(b, finish...)
	b = append(b, '}', ']')
	if finish != "null" && len(e.citations) > 0 {
		b = e.appendCitations(b)
	}
	return e.write(b)
}

// toolChunk writes a tool call delta. A start carries the ID and type
// only when it has an ID (a later start completes the name: clients
// append name fragments and keep the ID they have).
func (e *StreamEncoder) toolChunk(ev gateway.Event, start bool) error {
	b := append(e.buf[:0], e.prefix...)
	b = append(b, `{"index":0,"delta":{"tool_calls":[{"index":`...)
	b = strconv.AppendInt(b, int64(ev.Index), 10)
	if start {
		if ev.ID != "" {
			b = appendString(append(b, `,"id":`...), ev.ID)
			b = append(b, `,"type":"function"`...)
		}
		b = appendString(append(b, `,"function":{"name":`...), ev.Name)
		b = append(b, `,"arguments":""}`...)
	} else {
		b = append(appendString(append(b, `,"function":{"arguments":`...), ev.Text), '}')
	}
	b = append(b, `}]},"logprobs":null,"finish_reason":null}]`...)
	return e.write(b)
}

func (e *StreamEncoder) appendCitations(b []byte) []byte {
	b = append(b, `,"citations":[`...)
	for i, c := range e.citations {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, c.URL)
	}
	return append(b, ']')
}

// write closes the chunk object (with "usage":null when usage was asked
// for, as OpenAI does) and sends it.
func (e *StreamEncoder) write(b []byte) error {
	if e.includeUsage {
		b = append(b, `,"usage":null`...)
	}
	b = append(b, '}')
	e.buf = b
	return e.sw.Data(b)
}

// Close ends a complete stream: the usage chunk if the client asked for it,
// then "data: [DONE]". A stream with no finish reason is not complete:
// Close then fails it (an error event, or a 502 if nothing was written
// yet) without "[DONE]", and returns ErrStreamEnded.
func (e *StreamEncoder) Close() error {
	if e.done {
		return nil
	}
	if !e.finished {
		if err := e.Fail(errIncomplete); err != nil {
			return err
		}
		return ErrStreamEnded
	}
	e.done = true
	if e.prefix == nil {
		e.setPrefix("", "")
	}
	if e.includeUsage && e.usage != nil {
		b := append(append(e.buf[:0], e.prefix...), `],"usage":`...)
		b = appendUsage(b, *e.usage)
		e.buf = append(b, '}')
		if err := e.sw.Data(e.buf); err != nil {
			return err
		}
	}
	return e.sw.Data([]byte("[DONE]"))
}

// Fail ends the stream with err. Before anything was written it answers
// with the error's status, as a non-streamed request would; after, it
// sends an error event ({"error": {…}}, which OpenAI SDKs raise) and no
// [DONE], so the client knows the answer is incomplete.
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
	e.buf = appendError(e.buf[:0], ae)
	return e.sw.Data(e.buf)
}

func appendUsage(b []byte, u gateway.Usage) []byte {
	b = strconv.AppendInt(append(b, `{"prompt_tokens":`...), int64(u.InputTokens), 10)
	b = strconv.AppendInt(append(b, `,"completion_tokens":`...), int64(u.OutputTokens), 10)
	b = strconv.AppendInt(append(b, `,"total_tokens":`...), int64(u.Total()), 10)
	b = strconv.AppendInt(append(b, `,"prompt_tokens_details":{"cached_tokens":`...), int64(u.CachedInputTokens), 10)
	b = strconv.AppendInt(append(b, `},"completion_tokens_details":{"reasoning_tokens":`...), int64(u.ReasoningTokens), 10)
	return append(b, '}', '}')
}
