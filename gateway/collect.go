package gateway

import (
	"errors"
	"io"
	"strings"
)

// ErrTooLarge is the cause of a ClassBadResponse error for an answer that
// exceeds a size limit (Collect's, or a provider's body limit).
var ErrTooLarge = errors.New("gateway: answer exceeds the size limit")

// Collect reads s to the end and assembles the ChatResponse it describes,
// holding at most limit bytes of text, tool names and arguments. It closes
// s. Errors from s are returned as they are; Collect's own are
// *ProviderError of ClassBadResponse, with an empty Provider (the caller
// knows which provider it asked): ErrTooLarge past the limit (not
// retryable: the same request would produce the same answer),
// ErrStreamTruncated for a stream that ends without a finish reason
// (retryable), ErrInvalidJSON for a tool call index out of bounds.
func Collect(s Stream, limit int) (*ChatResponse, error) {
	defer s.Close()
	var (
		c    collector
		size int
	)
	c.resp.Message.Role = RoleAssistant
	for {
		ev, err := s.Next()
		if err == io.EOF {
			return c.finish()
		}
		if err != nil {
			return nil, err
		}
		size += len(ev.Text) + len(ev.Name) + len(ev.ID)
		if size > limit {
			return nil, collectError(ErrTooLarge)
		}
		if !c.add(ev) {
			return nil, collectError(ErrInvalidJSON)
		}
	}
}

// collectError is an error of Collect's own: the answer, not the transport,
// is at fault.
func collectError(cause error) *ProviderError {
	return NewError("", ClassBadResponse, cause)
}

// collector accumulates events into a ChatResponse.
type collector struct {
	resp  ChatResponse
	text  strings.Builder
	args  []strings.Builder
	calls []ToolCall
	done  bool
}

// add folds ev in; it reports false for a tool call index out of bounds.
func (c *collector) add(ev Event) bool {
	switch ev.Type {
	case EventStart:
		c.resp.ID, c.resp.Model = ev.ID, ev.Model
	case EventText:
		if ev.Index == 0 {
			c.text.WriteString(ev.Text)
		}
	case EventToolCallStart:
		if !c.call(ev.Index) {
			return false
		}
		tc := &c.calls[ev.Index]
		if ev.ID != "" {
			tc.ID = ev.ID
		}
		tc.Name += ev.Name
	case EventToolCallDelta:
		if !c.call(ev.Index) {
			return false
		}
		c.args[ev.Index].WriteString(ev.Text)
	case EventFinish:
		c.resp.FinishReason, c.done = ev.Finish, true
	case EventUsage:
		u := ev.Usage
		c.resp.Usage = &u
	case EventCitations:
		c.resp.Citations = ev.Citations
	}
	return true
}

// MaxToolCalls bounds the tool calls one answer may carry; indexes come
// from upstream and must not size memory.
const MaxToolCalls = 128

// call makes room for tool call i and reports whether i is in bounds.
func (c *collector) call(i int) bool {
	if i < 0 || i >= MaxToolCalls {
		return false
	}
	for len(c.calls) <= i {
		c.calls = append(c.calls, ToolCall{})
		c.args = append(c.args, strings.Builder{})
	}
	return true
}

func (c *collector) finish() (*ChatResponse, error) {
	if !c.done {
		return nil, collectError(ErrStreamTruncated)
	}
	if c.text.Len() > 0 {
		c.resp.Message.Parts = []Part{{Type: PartText, Text: c.text.String()}}
	}
	for i := range c.calls {
		if c.calls[i].ID == "" && c.calls[i].Name == "" && c.args[i].Len() == 0 {
			continue
		}
		c.calls[i].Arguments = c.args[i].String()
		c.resp.Message.ToolCalls = append(c.resp.Message.ToolCalls, c.calls[i])
	}
	return &c.resp, nil
}

// StreamOf returns a Stream that replays resp as events, as a provider
// would stream it: start, text, tool calls, finish, usage. Routers use it
// to serve a streaming client from a non-streaming answer, and tests use it
// as a canned upstream.
func StreamOf(resp *ChatResponse) Stream {
	evs := []Event{{Type: EventStart, ID: resp.ID, Model: resp.Model}}
	if t := resp.Message.Text(); t != "" {
		evs = append(evs, Event{Type: EventText, Text: t})
	}
	for i, tc := range resp.Message.ToolCalls {
		evs = append(evs,
			Event{Type: EventToolCallStart, Index: i, ID: tc.ID, Name: tc.Name},
			Event{Type: EventToolCallDelta, Index: i, Text: tc.Arguments})
	}
	if len(resp.Citations) > 0 {
		evs = append(evs, Event{Type: EventCitations, Citations: resp.Citations})
	}
	evs = append(evs, Event{Type: EventFinish, Finish: resp.FinishReason})
	if resp.Usage != nil {
		evs = append(evs, Event{Type: EventUsage, Usage: *resp.Usage})
	}
	return &sliceStream{events: evs}
}

// SliceStream returns a Stream that yields events and then io.EOF, or err
// instead of io.EOF when err is not nil.
func SliceStream(events []Event, err error) Stream {
	return &sliceStream{events: events, err: err}
}

type sliceStream struct {
	events []Event
	err    error
	closed bool
}

func (s *sliceStream) Next() (Event, error) {
	if s.closed {
		return Event{}, ErrStreamClosed
	}
	if len(s.events) == 0 {
		if s.err != nil {
			return Event{}, s.err
		}
		return Event{}, io.EOF
	}
	ev := s.events[0]
	s.events = s.events[1:]
	return ev, nil
}

func (s *sliceStream) Close() error { s.closed = true; return nil }
