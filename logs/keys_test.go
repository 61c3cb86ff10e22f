package logs

import (
	"slices"
	"testing"
)

func TestSplitWords(t *testing.T) {
	t.Parallel()
	tests := map[string][]string{
		"api_key":         {"api", "key"},
		"apiKey":          {"api", "key"},
		"APIKey":          {"api", "key"},
		"X-Api-Key":       {"x", "api", "key"},
		"userEmail":       {"user", "email"},
		"prompt_tokens":   {"prompt", "tokens"},
		"http.body.bytes": {"http", "body", "bytes"},
		"sha256Sum":       {"sha256", "sum"},
		"ID":              {"id"},
		"":                nil,
		"__":              nil,
	}
	for in, want := range tests {
		if got := splitWords(in); !slices.Equal(got, want) {
			t.Errorf("splitWords(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSensitiveKeys(t *testing.T) {
	t.Parallel()
	redact := []string{
		"password", "Password", "new_password", "passwd", "passphrase", "pwd",
		"secret", "client_secret", "token", "access_token", "refreshToken", "csrf_token",
		"api_key", "apiKey", "APIKey", "x-api-key", "apikey", "key", "signing_key",
		"private_key", "data_key", "keys", "authorization", "Authorization", "auth",
		"cookie", "Cookie", "set-cookie", "Set-Cookie", "session", "session_id",
		"sessionToken", "credentials", "email", "user_email", "userEmail", "useremail",
		"emailAddress", "phone", "phone_number", "card", "card_number", "cardNumber",
		"iban", "cvv", "cvc", "ssn", "content", "body", "title", "note_title",
		"prompt", "completion", "messages", "text", "transcript", "password_hash",
		"jwt", "otp", "totp_secret", "signature", "recovery_email",
	}
	keep := []string{
		"", "id", "note_id", "user_id", "workspace", "key_version", "keyVersion",
		"keyring", "monkey", "prompt_tokens", "completion_tokens", "max_tokens",
		"tokens", "content_type", "Content-Type", "content_length", "body_bytes",
		"title_length", "email_verified", "token_type", "session_expires_at",
		"status", "method", "path", "duration", "latency_ms", "provider", "model",
		"error", "msg", "level", "count", "region", "kind", "version",
	}
	for _, k := range redact {
		if !sensitive(nil, k) {
			t.Errorf("key %q is not redacted", k)
		}
	}
	for _, k := range keep {
		if sensitive(nil, k) {
			t.Errorf("key %q is redacted", k)
		}
	}
}

func TestSensitiveGroupPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path []string
		key  string
		want bool
	}{
		{[]string{"user"}, "email", true},
		{[]string{"session"}, "id", true},
		{[]string{"session"}, "expires_at", false},
		{[]string{"request", "headers"}, "authorization", true},
		{[]string{"credentials"}, "user", true},
		{[]string{"body"}, "bytes", false},
		{[]string{"usage"}, "prompt_tokens", false},
		{[]string{"note"}, "id", false},
		{[]string{"note"}, "title", true},
	}
	for _, tt := range tests {
		if got := sensitive(tt.path, tt.key); got != tt.want {
			t.Errorf("sensitive(%q, %q) = %v, want %v", tt.path, tt.key, got, tt.want)
		}
	}
}
