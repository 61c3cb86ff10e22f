package redact

import (
	"slices"
	"strings"

	"github.com/quirehq/quire/gateway"
)

// Stream returns st with the placeholders in its text and tool-call
// arguments restored, as RestoreChat would restore the collected answer.
// Fragments arrive cut anywhere, so a placeholder may be split across
// events ("[EMA" + "IL_1]"): the wrapper holds back, per choice and per
// tool call, only a trailing fragment that could still become a
// placeholder (at most the length of the longest one), and releases it as
// soon as a character of the same choice or call rules that out, before
// the finish event, and at the end or an error. Channels are independent:
// a fragment held by one may be released after events of another (text
// held at a tool call's start follows it), never after the finish. Text
// is never dropped or reordered within its choice or call, and what the
// wrapper emits for each is the restoration of what it read for it.
// Closing the wrapper closes st.
func (s *Session) Stream(st gateway.Stream) gateway.Stream {
	return &restoreStream{s: s, up: st}
}

// Indexes beyond this are restored without holding anything back, so that
// an upstream cannot make the wrapper keep state for arbitrarily many
// channels.
const maxHeldIndex = gateway.MaxToolCalls

type restoreStream struct {
	s      *Session
	up     gateway.Stream
	text   map[int]string // choice index → held-back text
	args   map[int]string // tool call index → held-back arguments
	queue  []gateway.Event
	err    error // the upstream's final error (io.EOF included), once seen
	closed bool
}

func (r *restoreStream) Next() (gateway.Event, error) {
	for {
		if r.closed {
			return gateway.Event{}, gateway.ErrStreamClosed
		}
		if len(r.queue) > 0 {
			ev := r.queue[0]
			r.queue[0] = gateway.Event{}
			r.queue = r.queue[1:]
			return ev, nil
		}
		if r.err != nil {
			return gateway.Event{}, r.err
		}
		ev, err := r.up.Next()
		if err != nil {
			r.flushText()
			r.flushArgs()
			r.err = err
			continue
		}
		switch ev.Type {
		case gateway.EventText:
			if t := r.feed(&r.text, ev.Index, ev.Text, r.s.jsonText); t != "" {
				ev.Text = t
				r.queue = append(r.queue, ev)
			}
		case gateway.EventToolCallDelta:
			if t := r.feed(&r.args, ev.Index, ev.Text, true); t != "" {
				ev.Text = t
				r.queue = append(r.queue, ev)
			}
		case gateway.EventFinish:
			r.flushText()
			r.flushArgs()
			r.queue = append(r.queue, ev)
		default:
			r.queue = append(r.queue, ev)
		}
	}
}

// feed restores what can be restored of the held text of channel i plus
// frag, and holds back a trailing possible placeholder prefix.
func (r *restoreStream) feed(held *map[int]string, i int, frag string, jsonEscape bool) string {
	t := frag
	if p, ok := (*held)[i]; ok {
		t = p + frag
		delete(*held, i)
	}
	cut := len(t)
	if i >= 0 && i < maxHeldIndex {
		cut = holdPoint(t)
	}
	if cut < len(t) {
		if *held == nil {
			*held = make(map[int]string)
		}
		(*held)[i] = strings.Clone(t[cut:])
	}
	return r.s.restore(t[:cut], jsonEscape)
}

// holdPoint returns where the part of t that could still grow into a
// placeholder begins, or len(t). Placeholders contain no '[' but their
// first, so only the last '[' can open one.
func holdPoint(t string) int {
	i := strings.LastIndexByte(t, '[')
	if i < 0 || len(t)-i >= maxPlaceholderLen || !viablePrefix(t[i:]) {
		return len(t)
	}
	return i
}

func (r *restoreStream) flushText() {
	r.flush(&r.text, gateway.EventText)
}

func (r *restoreStream) flushArgs() {
	r.flush(&r.args, gateway.EventToolCallDelta)
}

// flush releases every held fragment of one kind, in index order. A held
// fragment is an incomplete placeholder, so restoring it changes nothing.
func (r *restoreStream) flush(held *map[int]string, typ gateway.EventType) {
	if len(*held) == 0 {
		return
	}
	idx := make([]int, 0, len(*held))
	for i := range *held {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	for _, i := range idx {
		r.queue = append(r.queue, gateway.Event{Type: typ, Index: i, Text: (*held)[i]})
		delete(*held, i)
	}
}

// Close closes the upstream stream; later calls to Next fail with
// gateway.ErrStreamClosed.
func (r *restoreStream) Close() error {
	r.closed = true
	r.queue, r.text, r.args = nil, nil, nil
	return r.up.Close()
}

var _ gateway.Stream = (*restoreStream)(nil)
