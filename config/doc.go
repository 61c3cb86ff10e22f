// Package config loads Quire's configuration: one YAML file, with ${VAR}
// references expanded from the environment, decoded into a typed Config whose
// every field has a default, and validated as a whole.
//
// The rules, in the order they are applied:
//
//   - An absent or empty file is a valid development configuration.
//   - ${NAME} inside a scalar value is replaced by the environment variable
//     NAME; an unset variable is an error naming the variable and the key.
//     $$ stands for a literal $. Keys and comments are never expanded.
//   - Unknown keys are errors that name the key path and line, with a
//     suggestion when the key looks like a misspelling.
//   - A key with no value (`server:` followed by nothing) is the same as an
//     absent key; write `http_addr: ""` to turn the HTTP listener off.
//   - Durations take Go syntax ("90s", "15m", "168h") or whole days ("7d").
//   - Validate reports every problem at once (errors.Join of *FieldError),
//     each naming the key path and saying how to fix it.
//
// Secret values (API keys, database URLs, the SMTP password) are held as
// Secret, which prints as "[REDACTED]"; no error message ever contains a
// configured value that could be secret.
package config
