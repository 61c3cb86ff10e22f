// Package logs provides Quire's diagnostic logging: JSON slog records that
// are masked before they are written, to stderr and to one file per UTC day
// under the data directory, deleted once older than the retention period.
//
// These files are the "diagnostic logs" of claim AI-5. They hold no
// content: attributes whose key names a secret, personal data or user
// content (password, token, email, title, body, prompt, …) are replaced by
// "[REDACTED]" whatever their value, and every remaining string — the
// message included — is scanned for secrets and personal data (email
// addresses, card numbers, IBANs, bearer tokens, JWTs, API keys, URL
// passwords), which are masked. NewMaskingHandler applies the same layer to
// any slog.Handler, and Mask to any string (error renderers use it).
package logs
