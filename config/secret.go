package config

import "log/slog"

// redacted is what a non-empty Secret prints as.
const redacted = "[REDACTED]"

// Secret is a configuration value that must never be printed: fmt, slog,
// JSON and YAML encoders all see "[REDACTED]" (or "" when unset). Reveal
// returns the value for the one place that uses it.
type Secret string

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// String implements fmt.Stringer without revealing the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString implements fmt.GoStringer so that %#v does not reveal the value.
func (s Secret) GoString() string { return `config.Secret("` + s.String() + `")` }

// MarshalText implements encoding.TextMarshaler so that encoders (JSON,
// YAML) write the redacted form.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
