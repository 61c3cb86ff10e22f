package redact

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/quirehq/quire/gateway"
)

// Session redacts the texts of one request (or conversation) and restores
// the answer. The same value always gets the same placeholder within a
// session, numbered per kind in order of first appearance, so a
// conversation sent again in a new session gets the same placeholders for
// what it said before. A Session holds the original values in memory
// until it is dropped; it is not safe for concurrent use.
type Session struct {
	r       *Redactor
	byValue map[valueKey]string // what was replaced → its placeholder
	values  map[string]string   // placeholder → what it replaced
	next    [numKinds]int
	counts  [numKinds]int
	// jsonText: the request asked for a JSON answer, so text is restored
	// with JSON string escaping, as tool-call arguments are.
	jsonText bool
}

// valueKey names a replaced text: literal placeholder-shaped text is kept
// apart from entities, though no entity can look like one.
type valueKey struct {
	kind    Kind
	literal bool
	value   string
}

// placeholder returns the placeholder for value, issuing one if needed.
func (s *Session) placeholder(k Kind, value string, literal bool) string {
	key := valueKey{kind: k, literal: literal, value: value}
	if p, ok := s.byValue[key]; ok {
		return p
	}
	if s.byValue == nil {
		s.byValue = make(map[valueKey]string)
		s.values = make(map[string]string)
	}
	// Keep a copy: a substring would pin the whole request in memory.
	value = strings.Clone(value)
	key.value = value
	// Past 999999999 values of one kind (gigabytes of them), placeholders
	// would outgrow maxDigits and no longer be restored; nothing would leak.
	s.next[k]++
	p := formatPlaceholder(k, s.next[k])
	s.byValue[key] = p
	s.values[p] = value
	return p
}

// Redact returns text with every entity of an enabled kind replaced by
// its placeholder, and every placeholder-shaped text the client wrote
// replaced too (see Restore), so that Restore(Redact(text)) == text.
func (s *Session) Redact(text string) string {
	spans := s.r.find(text)
	if len(spans) == 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, sp := range spans {
		b.WriteString(text[last:sp.start])
		b.WriteString(s.placeholder(sp.kind, text[sp.start:sp.end], sp.literal))
		last = sp.end
		if !sp.literal {
			s.counts[sp.kind]++
		}
	}
	b.WriteString(text[last:])
	return b.String()
}

// RedactTexts returns the redactions of in (embedding inputs, rerank
// documents and query), in order, in a new slice.
func (s *Session) RedactTexts(in []string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, t := range in {
		out[i] = s.Redact(t)
	}
	return out
}

// ErrInvalidSchema is returned by RedactChat for a tool's parameters or a
// response schema that is not one valid JSON value.
var ErrInvalidSchema = errors.New("redact: JSON schema is not valid JSON")

// RedactChat redacts req in place: the system text; each tool's
// description and the string values of its parameters schema; the
// response format's description and schema; every message's text parts
// (tool results included) and tool-call arguments; and the stop
// sequences, which must match the text the model writes. Images (image
// URLs are sent as they are: the provider must fetch them), names, IDs and
// schema property names are left alone. The order is fixed (the
// parts that stay the same from one turn to the next first, then the
// messages, oldest first) so that numbering is stable across turns. It
// fails, quoting nothing and changing nothing, if a schema is not valid
// JSON.
//
// When the request asks for a JSON answer, the session restores text with
// JSON string escaping from then on (RestoreChat, Stream).
func (s *Session) RedactChat(req *gateway.ChatRequest) error {
	for i := range req.Tools {
		if p := req.Tools[i].Parameters; len(p) > 0 && !json.Valid(p) {
			return fmt.Errorf("%w: parameters of tool %d", ErrInvalidSchema, i)
		}
	}
	if sc := req.ResponseFormat.Schema; len(sc) > 0 && !json.Valid(sc) {
		return fmt.Errorf("%w: response format schema", ErrInvalidSchema)
	}
	switch req.ResponseFormat.Type {
	case gateway.FormatJSONObject, gateway.FormatJSONSchema:
		s.jsonText = true
	}
	req.System = s.Redact(req.System)
	for i := range req.Tools {
		t := &req.Tools[i]
		t.Description = s.Redact(t.Description)
		p, err := s.redactSchema(t.Parameters)
		if err != nil {
			return fmt.Errorf("%w: parameters of tool %d", ErrInvalidSchema, i)
		}
		t.Parameters = p
	}
	rf := &req.ResponseFormat
	rf.Description = s.Redact(rf.Description)
	sc, err := s.redactSchema(rf.Schema)
	if err != nil {
		return fmt.Errorf("%w: response format schema", ErrInvalidSchema)
	}
	rf.Schema = sc
	for i := range req.Messages {
		m := &req.Messages[i]
		for j := range m.Parts {
			if m.Parts[j].Type == gateway.PartText {
				m.Parts[j].Text = s.Redact(m.Parts[j].Text)
			}
		}
		for j := range m.ToolCalls {
			m.ToolCalls[j].Arguments = s.redactArguments(m.ToolCalls[j].Arguments)
		}
	}
	for i := range req.Stop {
		req.Stop[i] = s.Redact(req.Stop[i])
	}
	return nil
}

// redactSchema redacts the string values of a JSON Schema, keeping raw
// byte for byte when there is nothing to redact.
func (s *Session) redactSchema(raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 {
		return raw, nil
	}
	changed := false
	out, err := gateway.MapStrings(raw, func(v string) string {
		r := s.Redact(v)
		changed = changed || r != v
		return r
	})
	if err != nil || !changed {
		return raw, err
	}
	return out, nil
}

// Restore returns text with every placeholder this session issued
// replaced by the text it stands for. Anything else, including
// placeholder-shaped text the session did not issue, is left as it is.
func (s *Session) Restore(text string) string {
	return s.restore(text, false)
}

// restore replaces the issued placeholders in text; with jsonEscape, the
// values are written as the inside of a JSON string.
func (s *Session) restore(text string, jsonEscape bool) string {
	i := strings.IndexByte(text, '[')
	if i < 0 || len(s.values) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for i >= 0 {
		next := i + 1
		if _, end, ok := shapeAt(text, i); ok {
			next = end
			if v, ok := s.values[text[i:end]]; ok {
				if b.Cap() == 0 {
					b.Grow(len(text) + 64)
				}
				b.WriteString(text[last:i])
				if jsonEscape {
					writeJSONEscaped(&b, v)
				} else {
					b.WriteString(v)
				}
				last = end
			}
		}
		j := strings.IndexByte(text[next:], '[')
		if j < 0 {
			break
		}
		i = next + j
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// RestoreChat restores resp in place: its text parts, and its tool-call
// arguments with JSON string escaping (a restored secret may hold quotes
// or newlines).
func (s *Session) RestoreChat(resp *gateway.ChatResponse) {
	for i := range resp.Message.Parts {
		p := &resp.Message.Parts[i]
		if p.Type == gateway.PartText {
			p.Text = s.restore(p.Text, s.jsonText)
		}
	}
	for i := range resp.Message.ToolCalls {
		tc := &resp.Message.ToolCalls[i]
		tc.Arguments = s.restore(tc.Arguments, true)
	}
}

// Counts returns how many entities of each kind this session replaced
// (occurrences, not distinct values; placeholder-shaped text the client
// wrote is not counted). It holds no values: it is for metering.
func (s *Session) Counts() map[Kind]int {
	m := make(map[Kind]int)
	for k, n := range s.counts {
		if n > 0 {
			m[Kind(k)] = n
		}
	}
	return m
}
