package openai

import (
	"net/http"

	"github.com/quirehq/quire/gateway"
)

// toolSlot is what the stream remembers of one tool call.
type toolSlot struct {
	id   string // the upstream's call ID, once known
	name string // the first name fragment
}

// queueToolCall queues the events of one tool call delta; see stream.
func (s *stream) queueToolCall(tc *wireToolDelta) error {
	n := s.last
	if tc.Index != nil {
		if *tc.Index < 0 || *tc.Index >= gateway.MaxToolCalls {
			return s.p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
		}
		n = int(s.byIndex[*tc.Index]) - 1
	}
	if n >= 0 && tc.ID != "" && s.calls[n].id != "" && tc.ID != s.calls[n].id {
		n = -1 // another call under the same index, or without one
	}
	if n < 0 {
		if len(s.calls) == gateway.MaxToolCalls {
			return s.p.badResponse(http.StatusOK, gateway.ErrInvalidJSON)
		}
		n = len(s.calls)
		s.calls = append(s.calls, toolSlot{})
		if tc.Index != nil {
			s.byIndex[*tc.Index] = uint8(n + 1)
		}
	}
	s.last = n
	call := &s.calls[n]
	id, name := "", tc.Function.Name
	switch {
	case call.id == "":
		call.id, id = tc.ID, tc.ID
	case tc.ID != "" && name == call.name:
		name = "" // the call's ID and name sent again, not a fragment
	}
	if call.name == "" {
		call.name = name
	}
	if id != "" || name != "" {
		s.called = true
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventToolCallStart, Index: n, ID: id, Name: name})
	}
	if tc.Function.Arguments != "" {
		s.queue = append(s.queue, gateway.Event{Type: gateway.EventToolCallDelta, Index: n, Text: tc.Function.Arguments})
	}
	return nil
}
