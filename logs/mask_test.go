package logs

import "testing"

func TestMask(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		// email addresses
		{"login failed for alice@example.com", "login failed for [EMAIL]"},
		{"to: Bob.Smith+tag@mail.example.co.uk, cc: x_y@sub-domain.io.", "to: [EMAIL], cc: [EMAIL]."},
		// card numbers
		{"card 4111111111111111 declined", "card [CARD] declined"},
		{"card 4111 1111 1111 1111.", "card [CARD]."},
		{"card 5555-5555-5555-4444", "card [CARD]"},
		{"amex 378282246310005", "amex [CARD]"},
		{"visa13 4222222222222", "visa13 [CARD]"},
		{"mc2 2223003122003222", "mc2 [CARD]"},
		{"paid 20 4111 1111 1111 1111 today", "paid 20 [CARD] today"},
		{"4111-1111-1111-1111 4111-1111-1111-1111", "[CARD] [CARD]"},
		{"x4111111111111111y", "x[CARD]y"},
		// IBANs
		{"iban DE89370400440532013000 ok", "iban [IBAN] ok"},
		{"iban DE89 3704 0044 0532 0130 00 ok", "iban [IBAN] ok"},
		{"GB82 WEST 1234 5698 7654 32", "[IBAN]"},
		{"gb82west12345698765432", "[IBAN]"},
		{"NO9386011117947", "[IBAN]"},
		// tokens and keys
		{"Authorization: Bearer abcdef0123456789xyz", "Authorization: Bearer [REDACTED]"},
		{"bearer   abcdefgh.ijk-lmn_op", "bearer   [REDACTED]"},
		{"jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end", "jwt [JWT] end"},
		{"key sk-proj-abcdefghijklmnop1234 used", "key [API_KEY] used"},
		{"stripe sk_live_51Habcdefghijklmnop and pk_test_abcdefghijklmnop12", "stripe [API_KEY] and [API_KEY]"},
		{"gh ghp_abcdefghijklmnopqrstuvwxyz0123456789", "gh [API_KEY]"},
		{"aws AKIAIOSFODNN7EXAMPLE", "aws [API_KEY]"},
		{"google AIzaSyA-abcdefghijklmnopqrstuvwxyz01234", "google [API_KEY]"},
		{"slack xoxb-1234567890-abcdefghij", "slack [API_KEY]"},
		// URL passwords and key=value secrets
		{"dial postgres://quire:hunter2@db.internal:5432/quire failed", "dial postgres://quire:[REDACTED]@db.internal:5432/quire failed"},
		{"redis://:p@ss@127.0.0.1:6379/0", "redis://:[REDACTED]@127.0.0.1:6379/0"},
		{"GET /cb?code=1&access_token=abc123&state=x", "GET /cb?code=1&access_token=[REDACTED]&state=x"},
		{"host=db user=q password=hunter2 sslmode=verify-full", "host=db user=q password=[REDACTED] sslmode=verify-full"},
		{"api_key = 'abc def'", "api_key = [REDACTED]"},
		{`{"user":"u","password":"hun\"ter2","client_secret": "s"}`, `{"user":"u","password":"[REDACTED]","client_secret": "[REDACTED]"}`},
		// several at once
		{"alice@example.com paid with 4111111111111111", "[EMAIL] paid with [CARD]"},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskLeavesOrdinaryText(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"", "ok", "request completed",
		"GET /api/v1/notes/abcdefghijklmnopqrstuvwxyz",
		"note 7k2m4p6q8r2s4t6v8w2x4y6z3a created",
		"took 1.234s (1234567 ns), 12 retries",
		"1735689600123456789",     // a Unix time in nanoseconds
		"4111111111111112",        // fails the Luhn check
		"9111111111111111",        // not a card network prefix
		"41111111111111111111111", // too long for a card
		"order 1234-5678",         // too short
		"uuid 550e8400-e29b-41d4-a716-446655440000",
		"sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"2026-01-02T15:04:05Z", "v1.27.3", "127.0.0.1:8443", "[::1]:5432",
		"max_tokens=512 prompt_tokens: 10",
		"password: too short",
		"invalid token: expired",
		"the bearer of bad news",
		"task-management and desk-top",
		"DE89370400440532013001", // IBAN with a bad checksum
		"XX89370400440532013000", // no such country
		"user@localhost",
		"https://example.com/path?q=1",
		"http://user@example.com", // no password; user part left to the email rule
	} {
		want := s
		if s == "http://user@example.com" {
			want = "http://[EMAIL]"
		}
		if got := Mask(s); got != want {
			t.Errorf("Mask(%q) = %q, want it unchanged", s, got)
		}
	}
}
