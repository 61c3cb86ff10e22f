package trust

import (
	"context"
	"github.com/quirehq/quire/logs"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// maskingLogger stands in for the production logger: JSON, with every
// attribute under a sensitive key replaced.
// maskingLogger is the production masking logger.
func maskingLogger(w io.Writer) *slog.Logger {
	return slog.New(logs.NewMaskingHandler(slog.NewJSONHandler(w, nil)))
}

// keyMaskingLogger masks by key only, as a masker without value scanners
// would: the probe's free-text values must catch it.
func keyMaskingLogger(w io.Writer) *slog.Logger {
	sensitive := map[string]bool{"password": true, "email": true, "authorization": true, "card_number": true, "content": true}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if sensitive[a.Key] {
				return slog.String(a.Key, "[masked]")
			}
			return a
		},
	}))
}

// leakyLogger masks everything except one key.
func leakyLogger(except string) func(io.Writer) *slog.Logger {
	return func(w io.Writer) *slog.Logger {
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key != except && a.Key != slog.MessageKey && a.Key != slog.TimeKey && a.Key != slog.LevelKey {
					return slog.String(a.Key, "[masked]")
				}
				return a
			},
		}))
	}
}

// logDir makes a log directory with mode dirMode holding files by name,
// each with its mode and age.
func logDir(t *testing.T, dirMode os.FileMode, files map[string]struct {
	mode os.FileMode
	age  time.Duration
}) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "logs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, f := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("{}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, f.mode); err != nil {
			t.Fatal(err)
		}
		mt := time.Now().Add(-f.age)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, dirMode); err != nil {
		t.Fatal(err)
	}
	return dir
}

type logFile = struct {
	mode os.FileMode
	age  time.Duration
}

func TestCheckAI5(t *testing.T) {
	const day = 24 * time.Hour
	fresh := map[string]logFile{"quire-2025-01-02.log": {0o600, 2 * day}, "quire-2025-01-04.log": {0o600, time.Hour}}
	tests := []struct {
		name      string
		dirMode   os.FileMode
		files     map[string]logFile
		noDir     bool
		retention time.Duration
		logger    func(io.Writer) *slog.Logger
		want      Status
		evidence  string
	}{
		{"good", 0o700, fresh, false, 7 * day, maskingLogger, StatusPass, "none of them appears"},
		{"empty directory", 0o700, nil, false, 7 * day, maskingLogger, StatusPass, "0 log file(s)"},
		{"longer retention within limit", 0o700, fresh, false, 14 * day, maskingLogger, StatusPass, "longer than the default"},
		{"retention beyond 30 days", 0o700, fresh, false, 31 * day, maskingLogger, StatusFail, "beyond the 30-day limit"},
		{"retention not set", 0o700, fresh, false, 0, maskingLogger, StatusFail, "log retention is not set"},
		{"directory readable by others", 0o755, fresh, false, 7 * day, maskingLogger, StatusFail, "has mode 0755, want 0700"},
		{"file readable by others", 0o700, map[string]logFile{"quire-x.log": {0o644, time.Hour}}, false, 7 * day, maskingLogger, StatusFail, "quire-x.log has mode 0644, want 0600"},
		{"file outlived retention", 0o700, map[string]logFile{"quire-old.log": {0o600, 9 * day}}, false, 7 * day, maskingLogger, StatusFail, "quire-old.log was last written"},
		{"within the slack day", 0o700, map[string]logFile{"quire-old.log": {0o600, 7*day + 12*time.Hour}}, false, 7 * day, maskingLogger, StatusPass, "1 log file(s)"},
		{"other old files are not logs", 0o700, map[string]logFile{"notes.txt": {0o600, 90 * day}}, false, 7 * day, maskingLogger, StatusPass, "0 log file(s)"},
		{"no directory", 0, nil, true, 7 * day, maskingLogger, StatusFail, "diagnostic log directory not available"},
		{"no logger", 0o700, fresh, false, 7 * day, nil, StatusFail, "production logger not available"},
		{"unmasked logger", 0o700, fresh, false, 7 * day, func(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }, StatusFail, "the password logged under \"password\" appears"},
		{"leaks the email", 0o700, fresh, false, 7 * day, leakyLogger("email"), StatusFail, "the email address logged under \"email\""},
		{"leaks the bearer token", 0o700, fresh, false, 7 * day, leakyLogger("authorization"), StatusFail, "bearer token"},
		{"leaks the card number", 0o700, fresh, false, 7 * day, leakyLogger("card_number"), StatusFail, "card number"},
		{"leaks the note body", 0o700, fresh, false, 7 * day, leakyLogger("content"), StatusFail, "note body"},
		{"masks by key only", 0o700, fresh, false, 7 * day, keyMaskingLogger, StatusFail, "the email address in free text logged under \"detail\""},
		{"masks by key only: card", 0o700, fresh, false, 7 * day, keyMaskingLogger, StatusFail, "the card number in free text logged under \"reason\""},
		{"masks by key only: token", 0o700, fresh, false, 7 * day, keyMaskingLogger, StatusFail, "the bearer token in free text logged under \"upstream\""},
		{"logger writes nothing", 0o700, fresh, false, 7 * day, func(io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }, StatusFail, "wrote no record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			li := LogInfo{Retention: tt.retention, NewLogger: tt.logger}
			if !tt.noDir {
				li.Dir = logDir(t, tt.dirMode, tt.files)
			}
			st, ev := checkAI5(context.Background(), &Env{Logs: li})
			joined := strings.Join(ev, "\n")
			if st != tt.want || !strings.Contains(joined, tt.evidence) {
				t.Fatalf("status %s, want %s with %q; evidence:\n%s", st, tt.want, tt.evidence, joined)
			}
		})
	}
}

func TestCardNumberIsLuhnValid(t *testing.T) {
	for range 50 {
		n := cardNumber()
		if len(n) != 16 || !luhnValid(n) {
			t.Fatalf("cardNumber() = %q, not a 16-digit Luhn-valid number", n)
		}
	}
	for _, known := range []string{"4111111111111111", "4012888888881881", "79927398713"} {
		if !luhnValid(known) {
			t.Fatalf("luhnValid(%s) = false", known)
		}
	}
	if luhnValid("4111111111111112") {
		t.Fatal("luhnValid accepted a bad check digit")
	}
}

// luhnValid is the textbook Luhn check, independent of luhnCheckDigit.
func luhnValid(s string) bool {
	sum := 0
	for i := range len(s) {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
