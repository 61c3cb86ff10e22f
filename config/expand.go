package config

import "strings"

// expandError says why a value could not be expanded. It carries the
// variable's name, never its value.
type expandError struct {
	name      string // the unset variable
	malformed bool   // a ${ without a valid name and closing brace
}

// expand replaces ${NAME} in s with the value of the environment variable
// NAME and $$ with $. A $ followed by anything else is kept as it is, so
// that values such as passwords rarely need escaping. The result is not
// expanded again: a variable's value is taken literally.
func expand(s string, lookup lookupFunc) (string, *expandError) {
	if strings.IndexByte(s, '$') < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 || !validEnvName(s[i+2:i+2+end]) {
				return "", &expandError{malformed: true}
			}
			name := s[i+2 : i+2+end]
			v, ok := lookup(name)
			if !ok {
				return "", &expandError{name: name}
			}
			b.WriteString(v)
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String(), nil
}

// validEnvName reports whether s is a portable environment variable name:
// letters, digits and underscores, not starting with a digit.
func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
