package logs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// maskingHandler redacts and masks attributes before passing records on.
type maskingHandler struct {
	next   slog.Handler
	groups []string // names of the groups opened with WithGroup
}

// NewMaskingHandler wraps h so that nothing sensitive reaches it:
//
//   - an attribute whose key, read together with its group path, names a
//     secret, personal data or content (see the words in keys.go: password,
//     token, api_key, authorization, cookie, session, email, phone, card,
//     iban, cvv, ssn, content, body, title, prompt, …) is replaced by
//     "[REDACTED]", whatever its type. A key ending in "key" is redacted
//     ("api_key", "signing_key") but "key_version" and "keyring" are not; a
//     key ending in a metadata word ("prompt_tokens", "content_type",
//     "email_verified") is not;
//   - every other string — the message, string attributes, errors, and the
//     strings inside slices, maps and structs logged with slog.Any — goes
//     through Mask.
//
// LogValuers are resolved first, and groups (slog.Group, WithGroup) are
// walked with their path. Values of other types are rendered to JSON and
// masked as such, so a struct's sensitive fields are redacted by name; a
// value that cannot be rendered is replaced by a note of its type.
func NewMaskingHandler(h slog.Handler) slog.Handler { return &maskingHandler{next: h} }

// Enabled implements slog.Handler.
func (h *maskingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle implements slog.Handler.
func (h *maskingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Mask(r.Message), r.PC)
	var buf [8]slog.Attr
	attrs := buf[:0]
	r.Attrs(func(a slog.Attr) bool {
		attrs = append(attrs, maskAttr(a, h.groups))
		return true
	})
	out.AddAttrs(attrs...)
	return h.next.Handle(ctx, out)
}

// WithAttrs implements slog.Handler.
func (h *maskingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		masked[i] = maskAttr(a, h.groups)
	}
	return &maskingHandler{next: h.next.WithAttrs(masked), groups: h.groups}
}

// WithGroup implements slog.Handler.
func (h *maskingHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &maskingHandler{next: h.next.WithGroup(name), groups: append(slices.Clip(h.groups), name)}
}

func maskAttr(a slog.Attr, path []string) slog.Attr {
	a.Value = a.Value.Resolve()
	if a.Value.Kind() == slog.KindGroup {
		sub := path
		if a.Key != "" {
			sub = append(slices.Clip(path), a.Key)
		}
		attrs := a.Value.Group()
		out := make([]slog.Attr, len(attrs))
		for i, g := range attrs {
			out[i] = maskAttr(g, sub)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
	}
	if a.Key != "" && (sensitive(path, a.Key) || describesSecret(path, a.Key, a.Value)) {
		return slog.String(a.Key, Redacted)
	}
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); len(s) >= 5 {
			a.Value = slog.StringValue(Mask(s))
		}
	case slog.KindAny:
		a.Value = slog.AnyValue(maskAny(a.Value.Any(), append(slices.Clip(path), a.Key), 0))
	}
	return a
}

// maxDepth bounds the nesting maskAny follows.
const maxDepth = 32

// maskAny returns a maskable copy of v: strings masked, errors as their
// masked text, maps with sensitive keys redacted, and anything else through
// a JSON round trip (what slog's JSON handler would print) masked the same.
func maskAny(v any, path []string, depth int) any {
	if depth > maxDepth {
		return "[TOO DEEP]"
	}
	switch x := v.(type) {
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
		float32, float64, time.Time, time.Duration, json.Number:
		return v
	case string:
		return Mask(x)
	case error:
		return Mask(x.Error())
	case []byte:
		return fmt.Sprintf("[%d bytes]", len(x))
	case slog.LogValuer:
		return maskAny(valueToAny(slog.AnyValue(x).Resolve()), path, depth+1)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = maskAny(e, path, depth+1)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if sensitive(path, k) || describesSecret(path, k, slog.AnyValue(e)) {
				out[Mask(k)] = Redacted
			} else {
				out[Mask(k)] = maskAny(e, append(slices.Clip(path), k), depth+1)
			}
		}
		return out
	}
	return maskJSON(v, path, depth)
}

// maskJSON renders v as JSON and masks the decoded result, so that a
// struct's fields are judged by their JSON names.
func maskJSON(v any, path []string, depth int) any {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("[unloggable %T]", v)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // keep 64-bit IDs exact
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return fmt.Sprintf("[unloggable %T]", v)
	}
	switch generic.(type) {
	case map[string]any, []any, string:
		return maskAny(generic, path, depth+1)
	}
	return generic
}

// valueToAny converts a resolved slog.Value to plain Go values, groups to
// maps.
func valueToAny(v slog.Value) any {
	if v.Kind() != slog.KindGroup {
		return v.Any()
	}
	m := map[string]any{}
	for _, a := range v.Group() {
		m[a.Key] = valueToAny(a.Value.Resolve())
	}
	return m
}
