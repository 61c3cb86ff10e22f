package logs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// record logs through a masking JSON handler and returns the decoded
// record without its time.
func record(t *testing.T, log func(*slog.Logger)) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	log(slog.New(NewMaskingHandler(slog.NewJSONHandler(&buf, nil))))
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || dec.More() {
		t.Fatalf("output is not one JSON record: %v", err)
	}
	delete(m, "time")
	return m
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type user struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Note  string `json:"note"`
}

type userValuer struct{ id, email string }

func (u userValuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", u.id), slog.String("email", u.email))
}

type secretValuer string

func (s secretValuer) LogValue() slog.Value { return slog.StringValue("token=" + string(s)) }

func TestMaskingHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		log  func(*slog.Logger)
		want string
	}{
		{"message", func(l *slog.Logger) { l.Info("sign-up for bob@example.com") },
			`{"level":"INFO","msg":"sign-up for [EMAIL]"}`},
		{"sensitive keys", func(l *slog.Logger) {
			l.Info("m", "password", "hunter2", "api_key", 12345, "email", "a@b.co", "prompt", "write a poem", "title", "Diary")
		}, `{"api_key":"[REDACTED]","email":"[REDACTED]","level":"INFO","msg":"m","password":"[REDACTED]","prompt":"[REDACTED]","title":"[REDACTED]"}`},
		{"metadata kept", func(l *slog.Logger) {
			l.Info("m", "prompt_tokens", 12, "content_type", "text/markdown", "key_version", 3, "note_id", "7k2m4p", "latency", 1500*time.Millisecond)
		}, `{"content_type":"text/markdown","key_version":3,"latency":1500000000,"level":"INFO","msg":"m","note_id":"7k2m4p","prompt_tokens":12}`},
		{"metadata words do not unmask secrets", func(l *slog.Logger) {
			l.Info("m", "password_length", "hunter2hunter2", "cookie_set", "sid=abcdef123456", "secret_count", 14, "token_type", strings.Repeat("x", 41))
		}, `{"cookie_set":"[REDACTED]","level":"INFO","msg":"m","password_length":"[REDACTED]","secret_count":14,"token_type":"[REDACTED]"}`},
		{"map keys scanned", func(l *slog.Logger) {
			l.Info("m", "counts", map[string]int{"alice@example.com": 1})
		}, `{"counts":{"[EMAIL]":1},"level":"INFO","msg":"m"}`},
		{"basic auth in text", func(l *slog.Logger) {
			l.Info("m", "upstream", "sent Authorization: Basic dXNlcjpwYXNzd29yZA==")
		}, `{"level":"INFO","msg":"m","upstream":"sent Authorization: Basic [REDACTED]"}`},
		{"values scanned", func(l *slog.Logger) {
			l.Info("m", "detail", "charged 4111111111111111", "url", "postgres://u:hunter2@db/q")
		}, `{"detail":"charged [CARD]","level":"INFO","msg":"m","url":"postgres://u:[REDACTED]@db/q"}`},
		{"error", func(l *slog.Logger) {
			l.Error("m", "error", fmt.Errorf("lookup %s: %w", "carol@example.com", errors.New("not found")))
		}, `{"error":"lookup [EMAIL]: not found","level":"ERROR","msg":"m"}`},
		{"group", func(l *slog.Logger) {
			l.Info("m", slog.Group("req", "method", "POST", slog.Group("headers", "Authorization", "Bearer abc", "Accept", "a@b.co")))
		}, `{"level":"INFO","msg":"m","req":{"headers":{"Accept":"[EMAIL]","Authorization":"[REDACTED]"},"method":"POST"}}`},
		{"sensitive group", func(l *slog.Logger) {
			l.Info("m", slog.Group("session", "id", "s3ss10n", "expires_at", "2026-01-02"))
		}, `{"level":"INFO","msg":"m","session":{"expires_at":"2026-01-02","id":"[REDACTED]"}}`},
		{"inline group", func(l *slog.Logger) {
			l.Info("m", slog.Group("", "password", "x"))
		}, `{"level":"INFO","msg":"m","password":"[REDACTED]"}`},
		{"WithGroup", func(l *slog.Logger) {
			l.WithGroup("user").Info("m", "email", "d@example.com", "id", "u1")
		}, `{"level":"INFO","msg":"m","user":{"email":"[REDACTED]","id":"u1"}}`},
		{"WithAttrs", func(l *slog.Logger) {
			l.With("token", "t0k3n", "request", "from e@example.com").WithGroup("").Info("m")
		}, `{"level":"INFO","msg":"m","request":"from [EMAIL]","token":"[REDACTED]"}`},
		{"WithGroup then WithAttrs", func(l *slog.Logger) {
			l.WithGroup("card").With("last4", "4242").Info("m", "brand", "visa")
		}, `{"card":{"brand":"[REDACTED]","last4":"[REDACTED]"},"level":"INFO","msg":"m"}`},
		{"LogValuer group", func(l *slog.Logger) {
			l.Info("m", "user", userValuer{"u1", "f@example.com"})
		}, `{"level":"INFO","msg":"m","user":{"email":"[REDACTED]","id":"u1"}}`},
		{"LogValuer string", func(l *slog.Logger) {
			l.Info("m", "detail", secretValuer("abc"))
		}, `{"detail":"token=[REDACTED]","level":"INFO","msg":"m"}`},
		{"slice of any", func(l *slog.Logger) {
			l.Info("m", "items", []any{"g@example.com", 7, errors.New("pan 4111111111111111"), []any{"Bearer abcdefghijkl"}, userValuer{"u2", "h@example.com"}})
		}, `{"items":["[EMAIL]",7,"pan [CARD]",["Bearer [REDACTED]"],{"email":"[REDACTED]","id":"u2"}],"level":"INFO","msg":"m"}`},
		{"map", func(l *slog.Logger) {
			l.Info("m", "params", map[string]any{"q": "i@example.com", "session": "s", "n": 1})
		}, `{"level":"INFO","msg":"m","params":{"n":1,"q":"[EMAIL]","session":"[REDACTED]"}}`},
		{"struct", func(l *slog.Logger) {
			l.Info("m", "user", user{ID: "u3", Email: "j@example.com", Name: "Jo", Note: "call k@example.com"})
		}, `{"level":"INFO","msg":"m","user":{"email":"[REDACTED]","id":"u3","name":"Jo","note":"call [EMAIL]"}}`},
		{"big integers stay exact", func(l *slog.Logger) {
			l.Info("m", "ids", []int64{9007199254740993})
		}, `{"ids":[9007199254740993],"level":"INFO","msg":"m"}`},
		{"bytes", func(l *slog.Logger) { l.Info("m", "raw", []byte("secret stuff")) },
			`{"level":"INFO","msg":"m","raw":"[12 bytes]"}`},
		{"unloggable", func(l *slog.Logger) { l.Info("m", "ch", make(chan int)) },
			`{"ch":"[unloggable chan int]","level":"INFO","msg":"m"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := jsonOf(t, record(t, tt.log)); got != tt.want {
				t.Errorf("\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestMaskingHandlerLevels(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := slog.New(NewMaskingHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})))
	l.Info("hidden")
	l.Warn("shown")
	if strings.Contains(buf.String(), "hidden") || !strings.Contains(buf.String(), "shown") {
		t.Errorf("level filtering: %s", buf.String())
	}
}
