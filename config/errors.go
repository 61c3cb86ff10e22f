package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// FieldError is one problem with one configuration key. Its message says
// what is wrong and how to fix it, and never contains the configured value
// when that value could be secret.
type FieldError struct {
	// Source is the file name, or "" when the Config was built in code.
	Source string
	// Line is the 1-based line of the key in Source, or 0 when unknown.
	Line int
	// Key is the key path, e.g. "database.url" or "ai.providers[0].kind";
	// "" for a problem with the document as a whole.
	Key string
	// Msg is the problem and its fix.
	Msg string
}

// Error implements error as "source:line: key: message", leaving out the
// parts that are unknown.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.Source != "" {
		b.WriteString(e.Source)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// problems collects FieldErrors so that every problem is reported at once.
type problems struct{ errs []error }

func (p *problems) add(key, format string, args ...any) {
	p.errs = append(p.errs, &FieldError{Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (p *problems) addAt(source string, line int, key, format string, args ...any) {
	p.errs = append(p.errs, &FieldError{Source: source, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (p *problems) err() error { return errors.Join(p.errs...) }

// FieldErrors returns the FieldErrors in err (from Parse, Load or Validate),
// in order, so that callers can render them one per line or test them.
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		if fe, ok := err.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

// locate sets Source and Line on the FieldErrors of a Validate result,
// using the line of the key, or of its nearest ancestor when the key itself
// is absent from the file (a required key left out).
func locate(err error, source string, lines map[string]int) error {
	fes := FieldErrors(err)
	out := make([]error, 0, len(fes))
	for _, fe := range fes {
		c := *fe
		c.Source = source
		if c.Line == 0 {
			c.Line = lineOf(c.Key, lines)
		}
		out = append(out, &c)
	}
	return errors.Join(out...)
}

func lineOf(key string, lines map[string]int) int {
	for key != "" {
		if l, ok := lines[key]; ok {
			return l
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return 0
}
