package gateway

import (
	"errors"
	"io"
	"reflect"
	"testing"
	"time"
)

func sampleResponse() *ChatResponse {
	return &ChatResponse{
		ID: "r1", Model: "m", Created: time.Unix(1700000000, 0),
		Message: Message{Role: RoleAssistant, Parts: []Part{{Type: PartText, Text: "hi there"}},
			ToolCalls: []ToolCall{{ID: "c1", Name: "f", Arguments: `{"a":1}`}, {ID: "c2", Name: "g", Arguments: `{}`}}},
		FinishReason: FinishToolCalls,
		Usage:        &Usage{InputTokens: 3, OutputTokens: 4, CachedInputTokens: 1},
		Citations:    []Citation{{URL: "https://example.com", Title: "Ex"}},
	}
}

func TestStreamOfCollectRoundTrip(t *testing.T) {
	want := sampleResponse()
	got, err := Collect(StreamOf(want), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	got.Created = want.Created // streams carry no creation time
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

func TestCollectFragments(t *testing.T) {
	evs := []Event{
		{Type: EventStart, ID: "r", Model: "m"},
		{Type: EventText, Text: "a"}, {Type: EventText, Text: "b"},
		{Type: EventToolCallStart, Index: 1, ID: "c1"},
		{Type: EventToolCallDelta, Index: 1, Text: `{"x"`},
		{Type: EventToolCallStart, Index: 1, Name: "fet"}, // the name after the ID, in pieces
		{Type: EventToolCallStart, Index: 1, Name: "ch"},
		{Type: EventToolCallDelta, Index: 1, Text: `:1}`},
		{Type: EventUsage, Usage: Usage{InputTokens: 1}},
		{Type: EventFinish, Finish: FinishToolCalls},
		{Type: EventUsage, Usage: Usage{InputTokens: 2, OutputTokens: 5}},
	}
	got, err := Collect(SliceStream(evs, nil), 100)
	if err != nil {
		t.Fatal(err)
	}
	want := ToolCall{ID: "c1", Name: "fetch", Arguments: `{"x":1}`}
	if got.Message.Text() != "ab" || len(got.Message.ToolCalls) != 1 || got.Message.ToolCalls[0] != want ||
		got.Usage == nil || got.Usage.OutputTokens != 5 || got.FinishReason != FinishToolCalls {
		t.Fatalf("collected %+v", got)
	}
}

// TestCollectUsageUnknown: a stream that reports no usage (a compatible
// server may end without it) gives nil usage, not a zero count, while a
// reported zero stays a count.
func TestCollectUsageUnknown(t *testing.T) {
	got, err := Collect(SliceStream([]Event{{Type: EventText, Text: "a"}, {Type: EventFinish, Finish: FinishStop}}, nil), 100)
	if err != nil || got.Usage != nil {
		t.Fatalf("no usage reported: %+v, %v", got, err)
	}
	got, err = Collect(SliceStream([]Event{{Type: EventFinish, Finish: FinishStop}, {Type: EventUsage}}, nil), 100)
	if err != nil || got.Usage == nil || !got.Usage.IsZero() {
		t.Fatalf("zero usage reported: %+v, %v", got, err)
	}
	if evs, _ := readAll(StreamOf(got)); evs[len(evs)-1].Type != EventUsage {
		t.Fatalf("StreamOf dropped a reported zero usage: %+v", evs)
	}
}

func readAll(s Stream) ([]Event, error) {
	var evs []Event
	for {
		ev, err := s.Next()
		if err != nil {
			return evs, err
		}
		evs = append(evs, ev)
	}
}

func TestCollectFailures(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		evs       []Event
		err       error
		limit     int
		want      error
		retryable bool
	}{
		{"no finish", []Event{{Type: EventText, Text: "a"}}, nil, 100, ErrStreamTruncated, true},
		{"too large", []Event{{Type: EventText, Text: "abcdef"}, {Type: EventFinish}}, nil, 5, ErrTooLarge, false},
		{"name too large", []Event{{Type: EventToolCallStart, Name: "abcdef"}, {Type: EventFinish}}, nil, 5, ErrTooLarge, false},
		{"absurd index", []Event{{Type: EventToolCallStart, Index: 1 << 30}}, nil, 100, ErrInvalidJSON, false},
		{"negative index", []Event{{Type: EventToolCallDelta, Index: -1}}, nil, 100, ErrInvalidJSON, false},
	}
	for _, tt := range tests {
		_, err := Collect(SliceStream(tt.evs, tt.err), tt.limit)
		pe, ok := AsProviderError(err)
		if !ok || !errors.Is(err, tt.want) || pe.Class != ClassBadResponse || pe.Retryable() != tt.retryable {
			t.Errorf("%s: got %v (%T), want a ClassBadResponse *ProviderError for %v", tt.name, err, err, tt.want)
		}
	}
	// An error from the stream itself is returned as it is.
	if _, err := Collect(SliceStream([]Event{{Type: EventText, Text: "a"}}, boom), 100); err != boom {
		t.Errorf("upstream error: got %v", err)
	}
}

func TestSliceStreamClosed(t *testing.T) {
	s := SliceStream([]Event{{Type: EventStart}}, nil)
	if _, err := s.Next(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Next(); err != io.EOF {
		t.Fatalf("got %v, want io.EOF", err)
	}
	s.Close()
	if _, err := s.Next(); !errors.Is(err, ErrStreamClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

func TestEventTypeString(t *testing.T) {
	if EventToolCallDelta.String() != "tool_call_delta" || EventType(0).String() != "unknown" || EventType(99).String() != "unknown" {
		t.Fatal("EventType.String")
	}
	if ClassRateLimited.String() != "rate_limited" || ClassConfig.String() != "config" || ErrorClass(200).String() != "unknown" {
		t.Fatal("ErrorClass.String")
	}
}
