package openai

import (
	"time"

	"github.com/quirehq/quire/gateway"
)

// finishReason normalises a wire finish reason. The empty string stays
// empty (not finished); unknown reasons are a normal stop.
func finishReason(s string, hadToolCalls bool) gateway.FinishReason {
	switch s {
	case "":
		return ""
	case "length":
		return gateway.FinishLength
	case "tool_calls", "function_call":
		return gateway.FinishToolCalls
	case "content_filter":
		return gateway.FinishContentFilter
	}
	if hadToolCalls {
		// OpenAI says "stop" when tool_choice forced a call; the calls are
		// what the client must act on.
		return gateway.FinishToolCalls
	}
	return gateway.FinishStop
}

// canonical converts reported usage; nil stays nil (not reported).
func (u *wireUsage) canonical() *gateway.Usage {
	if u == nil {
		return nil
	}
	g := &gateway.Usage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens}
	if u.PromptTokensDetails != nil {
		g.CachedInputTokens = u.PromptTokensDetails.CachedTokens
	}
	switch {
	case u.CompletionTokensDetails != nil:
		g.ReasoningTokens = u.CompletionTokensDetails.ReasoningTokens
	case u.ReasoningTokens > 0:
		// Perplexity counts reasoning apart from completion_tokens (its
		// total_tokens is prompt plus completion, and it bills reasoning
		// on its own line); gateway.Usage counts it inside the output.
		g.ReasoningTokens = u.ReasoningTokens
		g.OutputTokens += u.ReasoningTokens
	}
	return g
}

// citations merges the ways OpenAI-format vendors cite sources: message
// annotations (OpenAI search models), search_results with titles, or bare
// citation URLs (Perplexity). A source without a URL is no citation.
func citations(ann []wireAnnotation, results []wireSearchResult, urls []string) []gateway.Citation {
	var out []gateway.Citation
	for _, a := range ann {
		if a.Type == "url_citation" && a.URLCitation.URL != "" {
			out = append(out, gateway.Citation{URL: a.URLCitation.URL, Title: a.URLCitation.Title})
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, r := range results {
		if r.URL != "" {
			out = append(out, gateway.Citation{URL: r.URL, Title: r.Title})
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, u := range urls {
		if u != "" {
			out = append(out, gateway.Citation{URL: u})
		}
	}
	return out
}

// canonical converts a wire response; ok is false when it has no choice 0.
func (w *wireChatResponse) canonical() (*gateway.ChatResponse, bool) {
	var c *wireChoice
	for i := range w.Choices {
		if w.Choices[i].Index == 0 {
			c = &w.Choices[i]
			break
		}
	}
	if c == nil {
		return nil, false
	}
	resp := &gateway.ChatResponse{
		ID: w.ID, Model: w.Model, Usage: w.Usage.canonical(),
		Message:   gateway.Message{Role: gateway.RoleAssistant},
		Citations: citations(c.Message.Annotations, w.SearchResults, w.Citations),
	}
	if w.Created > 0 {
		resp.Created = time.Unix(w.Created, 0)
	}
	text := ""
	if c.Message.Content != nil {
		text = *c.Message.Content
	}
	if c.Message.Refusal != nil && text == "" {
		text = *c.Message.Refusal
	}
	if text != "" {
		resp.Message.Parts = []gateway.Part{{Type: gateway.PartText, Text: text}}
	}
	for _, tc := range c.Message.ToolCalls {
		resp.Message.ToolCalls = append(resp.Message.ToolCalls, gateway.ToolCall{
			ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments,
		})
	}
	fr := ""
	if c.FinishReason != nil {
		fr = *c.FinishReason
	}
	if fr == "" {
		fr = "stop" // a complete answer with no reason given
	}
	resp.FinishReason = finishReason(fr, len(resp.Message.ToolCalls) > 0)
	return resp, true
}
