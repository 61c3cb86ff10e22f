package redact

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"unicode/utf8"
)

// redactArguments redacts the JSON text of tool-call arguments. Valid JSON
// is walked: strings (object keys too: a map may be keyed by address) are
// decoded, redacted and encoded again, and a number that is itself an
// entity (a card or phone number written as a JSON number) becomes a
// placeholder string. The text is kept byte for byte when nothing was
// redacted. Arguments that are not valid JSON are redacted as text.
func (s *Session) redactArguments(args string) string {
	if args == "" {
		return args
	}
	if !json.Valid([]byte(args)) {
		return s.Redact(args)
	}
	dec := json.NewDecoder(strings.NewReader(args))
	dec.UseNumber()
	w := argsWriter{out: make([]byte, 0, len(args))}
	changed := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return s.Redact(args) // unreachable after json.Valid
		}
		switch v := tok.(type) {
		case string:
			r := s.Redact(v)
			changed = changed || r != v
			w.value(appendJSONString(nil, r))
		case json.Number:
			if r := s.Redact(string(v)); r != string(v) {
				changed = true
				w.value(appendJSONString(nil, r))
			} else {
				w.value([]byte(v))
			}
		case json.Delim:
			w.delim(byte(v))
		case bool:
			if v {
				w.value([]byte("true"))
			} else {
				w.value([]byte("false"))
			}
		case nil:
			w.value([]byte("null"))
		}
	}
	if !changed {
		return args
	}
	return string(w.out)
}

// argsWriter writes JSON tokens back out, compact, with the separators
// json.Decoder.Token leaves out.
type argsWriter struct {
	out   []byte
	stack []argsFrame
}

type argsFrame struct {
	object bool
	n      int // tokens written in this container (keys and values)
}

func (w *argsWriter) separate() {
	if len(w.stack) == 0 {
		return
	}
	top := &w.stack[len(w.stack)-1]
	switch {
	case top.object && top.n%2 == 1:
		w.out = append(w.out, ':')
	case top.n > 0:
		w.out = append(w.out, ',')
	}
	top.n++
}

func (w *argsWriter) value(b []byte) {
	w.separate()
	w.out = append(w.out, b...)
}

func (w *argsWriter) delim(d byte) {
	if d == '}' || d == ']' {
		w.out = append(w.out, d)
		w.stack = w.stack[:len(w.stack)-1]
		return
	}
	w.separate()
	w.out = append(w.out, d)
	w.stack = append(w.stack, argsFrame{object: d == '{'})
}

// appendJSONString appends s as a JSON string, without the HTML escaping
// of encoding/json.
func appendJSONString(b []byte, s string) []byte {
	var buf bytes.Buffer
	buf.Write(b)
	buf.WriteByte('"')
	writeJSONEscaped(&buf, s)
	buf.WriteByte('"')
	return buf.Bytes()
}

// writeJSONEscaped writes s as the inside of a JSON string: quotes,
// backslashes and control characters escaped, invalid UTF-8 replaced.
func writeJSONEscaped(w interface {
	WriteByte(byte) error
	WriteString(string) (int, error)
}, s string) {
	const hex = "0123456789abcdef"
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || n != 1 {
				i += n
				continue
			}
		}
		w.WriteString(s[last:i])
		switch c {
		case '"', '\\':
			w.WriteByte('\\')
			w.WriteByte(c)
		case '\n':
			w.WriteString(`\n`)
		case '\r':
			w.WriteString(`\r`)
		case '\t':
			w.WriteString(`\t`)
		default:
			if c >= utf8.RuneSelf {
				w.WriteString(`\ufffd`)
			} else {
				w.WriteString(`\u00`)
				w.WriteByte(hex[c>>4])
				w.WriteByte(hex[c&0xf])
			}
		}
		i++
		last = i
	}
	w.WriteString(s[last:])
}
