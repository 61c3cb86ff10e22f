package http

import (
	"bytes"
	"context"
	"log"
	"log/slog"
)

// newErrorLog returns a *log.Logger for http.Server.ErrorLog that forwards
// each line to logger. TLS handshake failures are routine on a public port
// (scanners, old clients refused by TLS-1), so they go to debug level; other
// server errors go to warn.
func newErrorLog(logger *slog.Logger, listener string) *log.Logger {
	return log.New(&logWriter{logger: logger, listener: listener}, "", 0)
}

// logWriter adapts slog to the io.Writer a log.Logger writes to.
type logWriter struct {
	logger   *slog.Logger
	listener string
}

// Write logs one line written by the standard logger.
func (w *logWriter) Write(p []byte) (int, error) {
	msg := string(bytes.TrimRight(p, "\n"))
	level := slog.LevelWarn
	if bytes.Contains(p, []byte("TLS handshake error")) {
		level = slog.LevelDebug
	}
	w.logger.Log(context.Background(), level, msg, "listener", w.listener)
	return len(p), nil
}
