package openai

import (
	"errors"
	"net/http"
	"time"

	"github.com/quirehq/quire/gateway"
)

// wireFinish is the OpenAI finish_reason for a canonical one. An error
// has no OpenAI name and never reaches here: WriteChatResponse answers it
// with a 502, StreamEncoder with an error event.
func wireFinish(f gateway.FinishReason) string {
	switch f {
	case gateway.FinishLength, gateway.FinishToolCalls, gateway.FinishContentFilter:
		return string(f)
	}
	return "stop"
}

// wireUsageOf converts usage to the wire shape, details included.
func wireUsageOf(u gateway.Usage) *wireUsage {
	return &wireUsage{
		PromptTokens: u.InputTokens, CompletionTokens: u.OutputTokens, TotalTokens: u.Total(),
		PromptTokensDetails:     &wirePromptDetails{CachedTokens: u.CachedInputTokens},
		CompletionTokensDetails: &wireOutputDetails{ReasoningTokens: u.ReasoningTokens},
	}
}

// created returns a Unix time for a response, now when unknown.
func created(t time.Time) int64 {
	if t.IsZero() {
		return time.Now().Unix()
	}
	return t.Unix()
}

// errFinishedWithError is the failure reported for an answer whose finish
// reason is gateway.FinishError.
var errFinishedWithError = gateway.NewError("", gateway.ClassServer, errors.New("the answer finished with an error"))

// WriteChatResponse writes resp as a 200 chat.completion. An answer that
// finished with gateway.FinishError is not a success, whatever text it
// holds: it is answered 502 (server_error, upstream_error), as a failed
// provider call would be, and nothing of it is sent. Usage is left out
// when the provider reported none.
func WriteChatResponse(w http.ResponseWriter, resp *gateway.ChatResponse) error {
	if resp.FinishReason == gateway.FinishError {
		WriteAPIError(w, ErrorFromProvider(errFinishedWithError))
		return nil
	}
	msg := wireRespMessage{Role: "assistant", Annotations: []wireAnnotation{}}
	if t := resp.Message.Text(); t != "" {
		msg.Content = &t
	}
	for _, tc := range resp.Message.ToolCalls {
		msg.ToolCalls = append(msg.ToolCalls, wireToolCall{ID: tc.ID, Type: "function", Function: wireFunction{Name: tc.Name, Arguments: tc.Arguments}})
	}
	for _, c := range resp.Citations {
		msg.Annotations = append(msg.Annotations, wireAnnotation{Type: "url_citation", URLCitation: wireURLCitation{URL: c.URL, Title: c.Title}})
	}
	fr := wireFinish(resp.FinishReason)
	out := wireChatResponse{
		ID: resp.ID, Object: "chat.completion", Created: created(resp.Created), Model: resp.Model,
		Choices: []wireChoice{{Index: 0, Message: msg, FinishReason: &fr}},
	}
	if resp.Usage != nil {
		out.Usage = wireUsageOf(*resp.Usage)
	}
	return writeJSON(w, http.StatusOK, &out)
}

// writeJSON writes v as a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	buf, err := encodeJSON(v)
	if err != nil {
		WriteAPIError(w, ErrorFromProvider(err))
		return err
	}
	defer gateway.PutBuffer(buf)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(buf.Bytes())
	return err
}

// WriteModels writes a model list.
func WriteModels(w http.ResponseWriter, models []gateway.Model) error {
	out := wireModelList{Object: "list", Data: make([]wireModel, 0, len(models))}
	for _, m := range models {
		out.Data = append(out.Data, wireModel{ID: m.ID, Object: "model", Created: created(m.Created), OwnedBy: or(m.OwnedBy, "quire")})
	}
	return writeJSON(w, http.StatusOK, &out)
}
