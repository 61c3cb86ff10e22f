package logs

import (
	"io"
	"log/slog"
	"testing"
	"time"
)

// logTypical logs a record shaped like a request log line.
func logTypical(l *slog.Logger) {
	l.Info("request completed",
		"method", "POST", "path", "/api/v1/notes", "status", 201,
		"duration", 12*time.Millisecond, "note_id", "7k2m4p6q8r2s4t6v8w2x4y6z3a",
		"client_ip", "203.0.113.7", "user_agent", "Mozilla/5.0 (X11; Linux x86_64)",
		slog.Group("usage", "prompt_tokens", 812, "completion_tokens", 95))
}

func BenchmarkHandler(b *testing.B) {
	plain := slog.New(slog.NewJSONHandler(io.Discard, nil))
	masked := slog.New(NewMaskingHandler(slog.NewJSONHandler(io.Discard, nil)))
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			logTypical(plain)
		}
	})
	b.Run("masking", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			logTypical(masked)
		}
	})
}

// BenchmarkMaskingOverhead reports the cost of the masking handler as a
// ratio to the plain JSON handler measured in the same run ("x-plain").
func BenchmarkMaskingOverhead(b *testing.B) {
	plain := slog.New(slog.NewJSONHandler(io.Discard, nil))
	masked := slog.New(NewMaskingHandler(slog.NewJSONHandler(io.Discard, nil)))
	var tPlain, tMasked time.Duration
	for b.Loop() {
		start := time.Now()
		logTypical(plain)
		tPlain += time.Since(start)
		start = time.Now()
		logTypical(masked)
		tMasked += time.Since(start)
	}
	if tPlain > 0 {
		b.ReportMetric(float64(tMasked)/float64(tPlain), "x-plain")
	}
}

func BenchmarkMask(b *testing.B) {
	for _, s := range []struct{ name, in string }{
		{"plain", "request completed in 12ms for note 7k2m4p6q8r2s4t6v8w2x4y6z3a"},
		{"secrets", "user alice@example.com paid 4111 1111 1111 1111 via Bearer abcdefghijklmnop"},
	} {
		b.Run(s.name, func(b *testing.B) {
			for b.Loop() {
				Mask(s.in)
			}
		})
	}
}
