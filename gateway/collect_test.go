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
		Usage:        Usage{InputTokens: 3, OutputTokens: 4, CachedInputTokens: 1},
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
		{Type: EventToolCallStart, Index: 1, ID: "c1", Name: "f"},
		{Type: EventToolCallDelta, Index: 1, Text: `{"x"`}, {Type: EventToolCallDelta, Index: 1, Text: `:1}`},
		{Type: EventUsage, Usage: Usage{InputTokens: 1}},
		{Type: EventFinish, Finish: FinishToolCalls},
		{Type: EventUsage, Usage: Usage{InputTokens: 2, OutputTokens: 5}},
	}
	got, err := Collect(SliceStream(evs, nil), 100)
	if err != nil {
		t.Fatal(err)
	}
	if got.Message.Text() != "ab" || len(got.Message.ToolCalls) != 1 || got.Message.ToolCalls[0].Arguments != `{"x":1}` ||
		got.Usage.OutputTokens != 5 || got.FinishReason != FinishToolCalls {
		t.Fatalf("collected %+v", got)
	}
}

func TestCollectFailures(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name  string
		evs   []Event
		err   error
		limit int
		want  error
	}{
		{"no finish", []Event{{Type: EventText, Text: "a"}}, nil, 100, ErrStreamTruncated},
		{"upstream error", []Event{{Type: EventText, Text: "a"}}, boom, 100, boom},
		{"too large", []Event{{Type: EventText, Text: "abcdef"}, {Type: EventFinish}}, nil, 5, ErrTooLarge},
		{"absurd index", []Event{{Type: EventToolCallStart, Index: 1 << 30}}, nil, 100, ErrInvalidJSON},
		{"negative index", []Event{{Type: EventToolCallDelta, Index: -1}}, nil, 100, ErrInvalidJSON},
	}
	for _, tt := range tests {
		if _, err := Collect(SliceStream(tt.evs, tt.err), tt.limit); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
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
