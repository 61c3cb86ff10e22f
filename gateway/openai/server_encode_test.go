package openai

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/sse"
)

// encodeStream runs events through a StreamEncoder and returns the data
// of each SSE event written.
func encodeStream(t *testing.T, includeUsage bool, evs []gateway.Event, fail error) (*httptest.ResponseRecorder, []string) {
	t.Helper()
	rec := httptest.NewRecorder()
	enc := NewStreamEncoder(rec, includeUsage)
	for _, ev := range evs {
		if err := enc.Encode(ev); err != nil {
			t.Fatal(err)
		}
	}
	if fail != nil {
		enc.Fail(fail)
	} else if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	r := sse.NewReader(strings.NewReader(rec.Body.String()), 0)
	var out []string
	for {
		ev, err := r.Next()
		if err != nil {
			return rec, out
		}
		out = append(out, string(ev.Data))
	}
}

func TestStreamEncoderChunks(t *testing.T) {
	rec, data := encodeStream(t, true, cannedEvents, nil)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") || rec.Code != 200 {
		t.Fatalf("status %d, Content-Type %q", rec.Code, ct)
	}
	if data[len(data)-1] != "[DONE]" {
		t.Fatalf("last event %q", data[len(data)-1])
	}
	var usageChunks int
	for i, d := range data[:len(data)-1] {
		var c struct {
			ID      string           `json:"id"`
			Object  string           `json:"object"`
			Created int64            `json:"created"`
			Model   string           `json:"model"`
			Choices []map[string]any `json:"choices"`
			Usage   *wireUsage       `json:"usage"`
		}
		dec := json.NewDecoder(strings.NewReader(d))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("chunk %d %s: %v", i, d, err)
		}
		if c.ID != "chatcmpl-s" || c.Object != "chat.completion.chunk" || c.Model != "gpt-4o-mini" || c.Created < time.Now().Unix()-60 {
			t.Fatalf("chunk %d header: %s", i, d)
		}
		if !strings.Contains(d, `"usage":`) {
			t.Fatalf("chunk %d lacks usage (include_usage asks for it on every chunk): %s", i, d)
		}
		if c.Usage != nil {
			usageChunks++
			if i != len(data)-2 || len(c.Choices) != 0 || c.Usage.TotalTokens != 16 || c.Usage.PromptTokensDetails.CachedTokens != 3 {
				t.Fatalf("usage chunk %d: %s", i, d)
			}
		}
	}
	if usageChunks != 1 {
		t.Fatalf("%d usage chunks", usageChunks)
	}
	// The usage event came before the finish event; the chunk still goes
	// last, just before [DONE], where clients look for it.
	if want := `"finish_reason":"tool_calls"`; !strings.Contains(data[len(data)-3], want) {
		t.Fatalf("finish chunk %s", data[len(data)-3])
	}
	_, data = encodeStream(t, false, cannedEvents, nil)
	for _, d := range data {
		if strings.Contains(d, "usage") {
			t.Fatalf("usage sent without include_usage: %s", d)
		}
	}
}

func TestStreamEncoderFail(t *testing.T) {
	// Before any event: a status and a JSON error, not a 200 stream.
	rec, _ := encodeStream(t, false, nil, gateway.NewStatusError("up", 429, http.Header{"Retry-After": {"1.5"}}, "", "", ""))
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "2" || !strings.Contains(rec.Body.String(), `"code":"rate_limit_exceeded"`) {
		t.Fatalf("early failure: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	// After: an error event, and no [DONE].
	rec, data := encodeStream(t, false, cannedEvents[:2], gateway.NewError("up", gateway.ClassStreamError, gateway.ErrStreamError))
	last := data[len(data)-1]
	if rec.Code != 200 || !strings.HasPrefix(last, `{"error":{`) || strings.Contains(rec.Body.String(), "[DONE]") {
		t.Fatalf("late failure: %v", data)
	}
}

func TestStreamEncoderWithoutStart(t *testing.T) {
	_, data := encodeStream(t, false, []gateway.Event{{Type: gateway.EventText, Text: "x"}, {Type: gateway.EventFinish}}, nil)
	if len(data) != 3 || !strings.Contains(data[0], `"content":"x"`) || !strings.Contains(data[1], `"finish_reason":"stop"`) {
		t.Fatalf("got %v", data)
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", "quote\" back\\ slash", "\n\r\t\x00\x1f\x7f", "é ü 中文 🙂", "\u2028\u2029", "bad \xff\xfe utf8", "<script>&"} {
		b := appendString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q: %s does not parse: %v", s, b, err)
		}
		if want := string([]rune(s)); got != want {
			t.Fatalf("%q: round trip %q", s, got)
		}
		if strings.ContainsAny(string(b), "\u2028\u2029\n") || !utf8.Valid(b) {
			t.Fatalf("%q: raw line breaks or invalid UTF-8 in %s", s, b)
		}
	}
}

func TestWriteAPIError(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteError(rec, 400, TypeInvalidRequest, "", "Bad \"thing\".")
	var body struct {
		Error map[string]any `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	e := body.Error
	if rec.Code != 400 || e["message"] != "Bad \"thing\"." || e["type"] != TypeInvalidRequest || e["param"] != nil || e["code"] != nil || len(e) != 4 {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
	if ae := ErrorFromProvider(&APIError{Status: 413}); ae.Status != 413 {
		t.Fatal("an *APIError must pass through")
	}
	if ae := ErrorFromProvider(gateway.NewError("p", gateway.ClassCanceled, nil)); ae.Status != 499 {
		t.Fatalf("cancel: %+v", ae)
	}
	if ae := ErrorFromProvider(errors.New("x")); ae.Status != 500 || ae.Code != "internal_error" {
		t.Fatalf("plain: %+v", ae)
	}
}

func TestWriteChatResponseShape(t *testing.T) {
	rec := httptest.NewRecorder()
	resp := *cannedResponse
	resp.Citations = []gateway.Citation{{URL: "https://example.org/a", Title: "A"}}
	resp.Message.ToolCalls = nil
	resp.FinishReason = gateway.FinishStop
	if err := WriteChatResponse(rec, &resp); err != nil {
		t.Fatal(err)
	}
	var w wireChatResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &w); err != nil {
		t.Fatal(err)
	}
	m := w.Choices[0].Message
	if rec.Code != 200 || w.Object != "chat.completion" || *w.Choices[0].FinishReason != "stop" || *m.Content != resp.Message.Text() || m.Refusal != nil ||
		len(m.Annotations) != 1 || m.Annotations[0].URLCitation.URL != "https://example.org/a" || w.Usage.TotalTokens != 52 {
		t.Fatalf("got %s", rec.Body)
	}
	if !strings.Contains(rec.Body.String(), `"logprobs":null`) {
		t.Fatalf("logprobs must be null: %s", rec.Body)
	}
	// Usage the provider did not report is left out, not sent as zero.
	resp.Usage = nil
	rec = httptest.NewRecorder()
	WriteChatResponse(rec, &resp)
	if strings.Contains(rec.Body.String(), `"usage"`) {
		t.Fatalf("unknown usage written: %s", rec.Body)
	}
}

// TestWriteChatResponseFinishError: an answer that finished with an error
// is a 502 in the error shape, and none of its text is sent.
func TestWriteChatResponseFinishError(t *testing.T) {
	rec := httptest.NewRecorder()
	resp := *cannedResponse
	resp.FinishReason = gateway.FinishError
	if err := WriteChatResponse(rec, &resp); err != nil {
		t.Fatal(err)
	}
	var body struct {
		Error *struct {
			Type string `json:"type"`
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == nil {
		t.Fatalf("not an error body: %s", rec.Body)
	}
	if rec.Code != http.StatusBadGateway || body.Error.Type != TypeServer || body.Error.Code != "upstream_error" || strings.Contains(rec.Body.String(), "quoted") {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
}

// TestStreamEncoderFinishError: a finish reason of error ends the stream
// with an error event, never a finish_reason the client takes for success,
// and never [DONE].
func TestStreamEncoderFinishError(t *testing.T) {
	rec := httptest.NewRecorder()
	enc := NewStreamEncoder(rec, false)
	enc.Encode(gateway.Event{Type: gateway.EventStart, ID: "x"})
	enc.Encode(gateway.Event{Type: gateway.EventText, Text: "partial"})
	if err := enc.Encode(gateway.Event{Type: gateway.EventFinish, Finish: gateway.FinishError}); !errors.Is(err, ErrStreamEnded) {
		t.Fatalf("Encode(finish error) = %v", err)
	}
	if err := enc.Encode(gateway.Event{Type: gateway.EventText, Text: "more"}); !errors.Is(err, ErrStreamEnded) {
		t.Fatalf("Encode after the end = %v", err)
	}
	enc.Close()
	body := rec.Body.String()
	if !strings.Contains(body, `"code":"upstream_error"`) || strings.Contains(body, `"finish_reason":"stop"`) || strings.Contains(body, "[DONE]") || strings.Contains(body, "more") {
		t.Fatalf("got %s", body)
	}
	// Before anything was written, the failure keeps its status.
	rec = httptest.NewRecorder()
	NewStreamEncoder(rec, false).Encode(gateway.Event{Type: gateway.EventFinish, Finish: gateway.FinishError})
	if rec.Code != http.StatusBadGateway || strings.Contains(rec.Body.String(), "[DONE]") {
		t.Fatalf("early finish error: %d %s", rec.Code, rec.Body)
	}
}

// TestStreamEncoderCloseWithoutFinish: [DONE] promises a complete answer;
// a stream closed before its finish reason gets an error instead.
func TestStreamEncoderCloseWithoutFinish(t *testing.T) {
	rec := httptest.NewRecorder()
	enc := NewStreamEncoder(rec, false)
	enc.Encode(gateway.Event{Type: gateway.EventStart, ID: "x"})
	enc.Encode(gateway.Event{Type: gateway.EventText, Text: "partial"})
	if err := enc.Close(); !errors.Is(err, ErrStreamEnded) {
		t.Fatalf("Close = %v", err)
	}
	if body := rec.Body.String(); strings.Contains(body, "[DONE]") || !strings.Contains(body, `{"error":{`) {
		t.Fatalf("got %s", body)
	}
	rec = httptest.NewRecorder()
	if err := NewStreamEncoder(rec, false).Close(); !errors.Is(err, ErrStreamEnded) || rec.Code != http.StatusBadGateway {
		t.Fatalf("empty stream: %v, %d %s", err, rec.Code, rec.Body)
	}
}

func TestWriteTranscriptionFormats(t *testing.T) {
	tr := &gateway.Transcription{Text: "Buy ink. Send it.", Duration: 4730 * time.Millisecond, Language: "english", Segments: []gateway.Segment{
		{ID: 0, Start: 0, End: 1840 * time.Millisecond, Text: " Buy ink."}, {ID: 1, Start: 1840 * time.Millisecond, End: 3723_456 * time.Microsecond, Text: " Send it."},
	}}
	tests := map[string]string{
		FormatText: "Buy ink. Send it.\n",
		FormatSRT:  "1\n00:00:00,000 --> 00:00:01,840\nBuy ink.\n\n2\n00:00:01,840 --> 00:00:03,723\nSend it.\n\n",
		FormatVTT:  "WEBVTT\n\n00:00:00.000 --> 00:00:01.840\nBuy ink.\n\n00:00:01.840 --> 00:00:03.723\nSend it.\n\n",
		FormatJSON: `{"text":"Buy ink. Send it."}` + "\n",
	}
	for format, want := range tests {
		rec := httptest.NewRecorder()
		if err := WriteTranscription(rec, tr, format); err != nil {
			t.Fatal(err)
		}
		if rec.Body.String() != want {
			t.Errorf("%s:\ngot  %q\nwant %q", format, rec.Body, want)
		}
	}
	rec := httptest.NewRecorder()
	tr.UsageDuration = 5 * time.Second
	WriteTranscription(rec, tr, FormatJSON)
	if rec.Body.String() != `{"text":"Buy ink. Send it.","usage":{"type":"duration","seconds":5}}`+"\n" {
		t.Errorf("duration usage: %s", rec.Body)
	}
	rec = httptest.NewRecorder()
	WriteTranscription(rec, tr, FormatVerboseJSON)
	var v verboseTranscript
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || v.Duration != 4.73 || len(v.Segments) != 2 || v.Segments[1].Start != 1.84 {
		t.Fatalf("verbose: %s %v", rec.Body, err)
	}
}

func TestWriteEmbedResponse(t *testing.T) {
	resp := &gateway.EmbedResponse{Model: "m", Vectors: [][]float32{{1.5, -0.25}, {0, 3e-7}}, Usage: gateway.Usage{InputTokens: 4}}
	for _, b64 := range []bool{false, true} {
		rec := httptest.NewRecorder()
		if err := WriteEmbedResponse(rec, resp, b64); err != nil {
			t.Fatal(err)
		}
		var got wireEmbedResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s: %v", rec.Body, err)
		}
		vecs, ok := orderVectors(got.Data, 2)
		if !ok || vecs[0][1] != -0.25 || vecs[1][1] != 3e-7 || got.Usage.PromptTokens != 4 || got.Model != "m" {
			t.Fatalf("base64 %v: %s", b64, rec.Body)
		}
	}
}
