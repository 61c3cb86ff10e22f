package redact

import (
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/quirehq/quire/gateway"
)

// drain reads st to the end.
func drain(t testing.TB, st gateway.Stream) ([]gateway.Event, error) {
	t.Helper()
	var evs []gateway.Event
	for range 100000 {
		ev, err := st.Next()
		if err != nil {
			return evs, err
		}
		evs = append(evs, ev)
	}
	t.Fatal("stream does not end")
	return nil, nil
}

// texts concatenates the text of events of type typ and index i.
func texts(evs []gateway.Event, typ gateway.EventType, i int) string {
	var b strings.Builder
	for _, ev := range evs {
		if ev.Type == typ && ev.Index == i {
			b.WriteString(ev.Text)
		}
	}
	return b.String()
}

// textEvents cuts s at the given offsets into text events of choice 0.
func textEvents(s string, cuts ...int) []gateway.Event {
	var evs []gateway.Event
	last := 0
	for _, c := range append(cuts, len(s)) {
		evs = append(evs, gateway.Event{Type: gateway.EventText, Text: s[last:c]})
		last = c
	}
	return evs
}

// session returns a session that has issued a few placeholders.
func session(t testing.TB) *Session {
	s := mustRedactor(t).Session()
	s.Redact("liam@example.com +44 20 7946 0958 536-22-1234 " + sampleSecrets()["github-pat"] + " [EMAIL_2]")
	return s
}

const answer = "Hi [EMAIL_1]! Call [PHONE_1], not [PHONE_12]; id [NATIONAL_ID_1], key [SECRET_1], literal [EMAIL_2], [[EMAIL_1]] [EMAIL_"

// TestStreamEverySplit restores the answer cut at every point, and at
// every pair of points, into text events.
func TestStreamEverySplit(t *testing.T) {
	s := session(t)
	want := s.Restore(answer)
	if want == answer {
		t.Fatal("nothing to restore")
	}
	check := func(cuts ...int) {
		t.Helper()
		evs, err := drain(t, s.Stream(gateway.SliceStream(textEvents(answer, cuts...), nil)))
		if err != io.EOF {
			t.Fatalf("err = %v", err)
		}
		if got := texts(evs, gateway.EventText, 0); got != want {
			t.Fatalf("cuts %v:\n got %q\nwant %q", cuts, got, want)
		}
		for _, ev := range evs {
			if ev.Text == "" {
				t.Fatalf("cuts %v: empty event", cuts)
			}
		}
	}
	for i := 0; i <= len(answer); i++ {
		check(i)
		for j := i; j <= len(answer); j++ {
			check(i, j)
		}
	}
	// One byte per event.
	cuts := make([]int, 0, len(answer))
	for i := 1; i < len(answer); i++ {
		cuts = append(cuts, i)
	}
	check(cuts...)
}

// TestStreamProperty: for random texts with entities and random cuts, the
// concatenated restored stream equals Restore of the whole, which equals
// the text before redaction.
func TestStreamProperty(t *testing.T) {
	r := mustRedactor(t)
	rng := rand.New(rand.NewPCG(5, 6))
	words := []string{"mia@example.com", "+33 6 12 34 56 78", "4111 1111 1111 1111", "GB82 WEST 1234 5698 7654 32",
		"AB123456C", "10.20.30.40", "fe80::1", sampleSecrets()["slack-bot-token"], "[EMAIL_1]", "[PHONE_", "[", "]", "_1]",
		"the", "answer", " ", "\n", ".", "é", "[IBAN", "[NATIONAL_ID_3]", "💬"}
	for range 500 {
		var b strings.Builder
		for range rng.IntN(30) {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		orig := b.String()
		s := r.Session()
		red := s.Redact(orig)
		var cuts []int
		for i := 1; i < len(red); i++ {
			if rng.IntN(4) == 0 {
				cuts = append(cuts, i)
			}
		}
		evs, err := drain(t, s.Stream(gateway.SliceStream(textEvents(red, cuts...), nil)))
		if err != io.EOF {
			t.Fatal(err)
		}
		got := texts(evs, gateway.EventText, 0)
		if got != s.Restore(red) || got != orig {
			t.Fatalf("text %q cut at %v:\n got %q\nwant %q", red, cuts, got, orig)
		}
	}
}

func TestStreamToolCalls(t *testing.T) {
	s := session(t)
	key := sampleSecrets()["github-pat"]
	up := []gateway.Event{
		{Type: gateway.EventStart, ID: "r1", Model: "m"},
		{Type: gateway.EventText, Text: "Writing to [EMA"},
		{Type: gateway.EventToolCallStart, Index: 0, ID: "c0", Name: "send"},
		{Type: gateway.EventToolCallDelta, Index: 0, Text: `{"to":"[EM`},
		{Type: gateway.EventToolCallStart, Index: 1, ID: "c1", Name: "log"},
		{Type: gateway.EventToolCallDelta, Index: 1, Text: `{"k":"[SECRET`},
		{Type: gateway.EventToolCallDelta, Index: 0, Text: `AIL_1]","id":"[NATIONAL_ID_1]"}`},
		{Type: gateway.EventToolCallDelta, Index: 1, Text: `_1]"}`},
		{Type: gateway.EventUsage, Usage: gateway.Usage{InputTokens: 3}},
		{Type: gateway.EventFinish, Finish: gateway.FinishToolCalls},
	}
	evs, err := drain(t, s.Stream(gateway.SliceStream(up, nil)))
	if err != io.EOF {
		t.Fatal(err)
	}
	if got := texts(evs, gateway.EventText, 0); got != "Writing to [EMA" {
		t.Errorf("text: %q", got)
	}
	if got := texts(evs, gateway.EventToolCallDelta, 0); got != `{"to":"liam@example.com","id":"536-22-1234"}` {
		t.Errorf("call 0: %q", got)
	}
	if got := texts(evs, gateway.EventToolCallDelta, 1); got != `{"k":"`+key+`"}` {
		t.Errorf("call 1: %q", got)
	}
	// Channels are independent: the text held at the tool call is
	// released before the finish; the start comes first.
	var order []string
	for _, ev := range evs {
		order = append(order, ev.Type.String())
	}
	want := "start text tool_call_start tool_call_delta tool_call_start tool_call_delta tool_call_delta tool_call_delta usage text finish"
	if got := strings.Join(order, " "); got != want {
		t.Errorf("order:\n got %s\nwant %s", got, want)
	}
}

// TestStreamFlushOnEnd: a held fragment is released at EOF and before an
// error, and the error is passed on.
func TestStreamFlushOnEnd(t *testing.T) {
	s := session(t)
	boom := errors.New("upstream failed")
	for _, end := range []error{nil, boom} {
		up := []gateway.Event{{Type: gateway.EventText, Text: "see [PHONE_"}, {Type: gateway.EventToolCallDelta, Index: 2, Text: `{"a":"[IP`}}
		evs, err := drain(t, s.Stream(gateway.SliceStream(up, end)))
		if want := end; want == nil && err != io.EOF || want != nil && err != want {
			t.Errorf("err = %v", err)
		}
		if texts(evs, gateway.EventText, 0) != "see [PHONE_" || texts(evs, gateway.EventToolCallDelta, 2) != `{"a":"[IP` {
			t.Errorf("held text lost: %+v", evs)
		}
		// After the end, the end again.
		st := s.Stream(gateway.SliceStream(nil, end))
		drain(t, st)
		if _, err2 := st.Next(); err2 == nil {
			t.Error("Next after the end succeeded")
		}
	}
}

// TestStreamBounded: only a possible placeholder is held back, never more
// than the longest placeholder, and indexes out of range hold nothing.
func TestStreamBounded(t *testing.T) {
	s := session(t)
	rs := s.Stream(gateway.SliceStream(nil, nil)).(*restoreStream)
	for _, c := range []struct {
		frag, emitted, held string
	}{
		{"abc [", "abc ", "["},
		{"NATIONAL_ID_", "", "[NATIONAL_ID_"},
		{"12345678", "", "[NATIONAL_ID_12345678"},
		{"9", "", "[NATIONAL_ID_123456789"},
		{"0", "[NATIONAL_ID_1234567890", ""}, // ten digits: not a placeholder
		{"[EMAIL_0", "[EMAIL_0", ""},         // no leading zero
		{"[FOO", "[FOO", ""},
		{"[[[[", "[[[", "["},
		{"EMAIL_1] x", "liam@example.com x", ""},
	} {
		got := rs.feed(&rs.text, 0, c.frag, false)
		if got != c.emitted || rs.text[0] != c.held {
			t.Errorf("feed %q: emitted %q held %q, want %q and %q", c.frag, got, rs.text[0], c.emitted, c.held)
		}
		if len(rs.text[0]) >= maxPlaceholderLen {
			t.Errorf("holds %d bytes", len(rs.text[0]))
		}
	}
	for _, i := range []int{-1, maxHeldIndex, 1 << 30} {
		if got := rs.feed(&rs.args, i, "x [EMAIL_", true); got != "x [EMAIL_" || len(rs.args) != 0 {
			t.Errorf("index %d: emitted %q, held %v", i, got, rs.args)
		}
	}
}

type closeRecorder struct {
	gateway.Stream
	closed int
}

func (c *closeRecorder) Close() error { c.closed++; return c.Stream.Close() }

func TestStreamClose(t *testing.T) {
	s := session(t)
	up := &closeRecorder{Stream: gateway.SliceStream(textEvents("a [EMAIL_1] b [EMAIL_", 3, 6), nil)}
	st := s.Stream(up)
	if ev, err := st.Next(); err != nil || ev.Text != "a " {
		t.Fatalf("first event %+v, %v", ev, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Next(); !errors.Is(err, gateway.ErrStreamClosed) {
		t.Errorf("Next after Close: %v", err)
	}
	if up.closed != 1 {
		t.Errorf("upstream closed %d times", up.closed)
	}
}

// TestStreamCollect restores a streamed answer the way the router will
// use it, and compares with RestoreChat on the collected answer.
func TestStreamCollect(t *testing.T) {
	s := session(t)
	resp := &gateway.ChatResponse{
		ID: "r", Model: "m", FinishReason: gateway.FinishStop,
		Message:   gateway.Message{Role: gateway.RoleAssistant, Parts: []gateway.Part{{Type: gateway.PartText, Text: answer}}, ToolCalls: []gateway.ToolCall{{ID: "c", Name: "f", Arguments: `{"to":"[EMAIL_1]"}`}}},
		Usage:     &gateway.Usage{InputTokens: 1, OutputTokens: 2},
		Citations: []gateway.Citation{{URL: "https://example.com"}},
	}
	streamed, err := gateway.Collect(s.Stream(gateway.StreamOf(resp)), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	s.RestoreChat(resp)
	if streamed.Message.Text() != resp.Message.Text() || streamed.Message.ToolCalls[0].Arguments != resp.Message.ToolCalls[0].Arguments {
		t.Errorf("stream and RestoreChat differ:\n%q\n%q", streamed.Message.Text(), resp.Message.Text())
	}
	if streamed.Usage == nil || *streamed.Usage != *resp.Usage || len(streamed.Citations) != 1 || streamed.FinishReason != gateway.FinishStop {
		t.Errorf("metadata lost: %+v", streamed)
	}
}
