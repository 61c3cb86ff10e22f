package gateway

// Stream is a pull iterator over the events of a streamed answer. Next
// returns io.EOF after the last event of a complete stream; any other error
// ends the stream (a *ProviderError for upstream failures, including one
// reported inside a 200 stream or a stream cut short). Close releases the
// upstream connection; it is safe to call at any time, more than once, and
// must be called even after io.EOF. A Stream is not safe for concurrent use.
type Stream interface {
	Next() (Event, error)
	Close() error
}

// EventType says what an Event carries.
type EventType uint8

// Event types, in the order they usually arrive: one EventStart, then any
// mix of text and tool-call events, then EventFinish, then EventUsage.
// Consumers must not depend on that order beyond EventStart being first:
// some vendors report usage before the finish reason, and some report
// usage more than once (the last one wins).
const (
	// EventStart carries the response ID and the model that answers.
	EventStart EventType = iota + 1
	// EventText carries a fragment of text for choice Index.
	EventText
	// EventToolCallStart opens tool call Index with its ID and Name. Some
	// vendors send the name after the ID, or in pieces: a later
	// EventToolCallStart for an open Index completes it, with an ID only
	// if the call had none yet, and a Name fragment that consumers append
	// (as OpenAI's own stream deltas are accumulated).
	EventToolCallStart
	// EventToolCallDelta carries a fragment (Text) of the JSON arguments of
	// tool call Index.
	EventToolCallDelta
	// EventFinish carries the finish reason.
	EventFinish
	// EventUsage carries token counts.
	EventUsage
	// EventCitations carries the sources a search-backed model cited.
	EventCitations
)

var eventTypeNames = [...]string{"", "start", "text", "tool_call_start", "tool_call_delta", "finish", "usage", "citations"}

// String returns the name of t.
func (t EventType) String() string {
	if int(t) < len(eventTypeNames) && t != 0 {
		return eventTypeNames[t]
	}
	return "unknown"
}

// Event is one step of a stream. It is a value: only the fields its Type
// names are set, so producing one per upstream chunk allocates nothing
// beyond the strings it carries.
type Event struct {
	Type EventType
	// Index is the choice index (EventText) or the tool call index
	// (EventToolCallStart, EventToolCallDelta).
	Index int
	// ID is the response ID (EventStart) or the tool call ID
	// (EventToolCallStart).
	ID string
	// Model is set on EventStart.
	Model string
	// Name is the tool name, or a fragment to append to it, on
	// EventToolCallStart.
	Name string
	// Text is the text or arguments fragment.
	Text string
	// Finish is set on EventFinish.
	Finish FinishReason
	// Usage is set on EventUsage.
	Usage Usage
	// Citations is set on EventCitations.
	Citations []Citation
}
