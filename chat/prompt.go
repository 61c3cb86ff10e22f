package chat

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/gateway"
)

// tokens estimates the tokens of s: about four bytes each.
func tokens(s string) int { return (len(s) + 3) / 4 }

// clip returns the longest prefix of s within budget tokens, cut at a
// UTF-8 boundary.
func clip(s string, budget int) string {
	n := budget * 4
	if n >= len(s) {
		return s
	}
	if n <= 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// instructions open every system prompt.
const instructions = "You are Quire's writing assistant. Answer the user's question helpfully and concisely. " +
	"When passages from the user's workspace are given below, ground your answer in them and cite them by number, as [1]; " +
	"if they do not answer the question, say so rather than invent an answer."

// fit takes passages in order while they fit in budget tokens. One that
// does not fit is cut to what is left, if that is worth sending; the rest
// are left out.
func fit(passages []Passage, budget int) []Passage {
	const worth = 64
	var out []Passage
	for _, p := range passages {
		head := tokens(p.Source.Title) + 8
		t := head + tokens(p.Text)
		if t > budget {
			if budget-head < worth {
				break
			}
			p.Text = clip(p.Text, budget-head)
			t = budget
		}
		out = append(out, p)
		budget -= t
	}
	return out
}

// systemPrompt is the instructions and the numbered passages.
func systemPrompt(passages []Passage) string {
	if len(passages) == 0 {
		return instructions
	}
	var b strings.Builder
	b.WriteString(instructions)
	b.WriteString("\n\nPassages from the user's workspace:\n")
	for i, p := range passages {
		b.WriteString("\n[" + strconv.Itoa(i+1) + "] " + p.Source.Kind)
		if p.Source.Title != "" {
			b.WriteString(": " + p.Source.Title)
		}
		b.WriteString("\n" + p.Text + "\n")
	}
	return b.String()
}

// history returns the newest complete turns of msgs that fit in budget
// tokens, oldest first. Failed, cancelled and empty answers are left out,
// and so is a question they leave unanswered.
func history(msgs []*quire.ChatMessage, budget int) []gateway.Message {
	var kept []gateway.Message
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Status != quire.ChatComplete || m.Content == "" || (m.Role == quire.ChatUser && !answered(msgs, i)) {
			continue
		}
		if budget -= tokens(m.Content) + 4; budget < 0 {
			break
		}
		role := gateway.RoleUser
		if m.Role == quire.ChatAssistant {
			role = gateway.RoleAssistant
		}
		kept = append(kept, gateway.TextMessage(role, m.Content))
	}
	for i, j := 0, len(kept)-1; i < j; i, j = i+1, j-1 {
		kept[i], kept[j] = kept[j], kept[i]
	}
	for len(kept) > 0 && kept[0].Role == gateway.RoleAssistant { // its question did not fit
		kept = kept[1:]
	}
	return kept
}

// answered reports whether the question at i has a complete answer with
// text next (a provider may refuse an empty turn).
func answered(msgs []*quire.ChatMessage, i int) bool {
	a := i + 1
	return a < len(msgs) && msgs[a].Role == quire.ChatAssistant && msgs[a].Status == quire.ChatComplete && msgs[a].Content != ""
}
