package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/quirehq/quire"
)

// Outbox is the development Sender: it writes each message as an RFC 5322
// .eml file into Dir (normally <data>/outbox) instead of sending it, and
// logs the file path and the message's link so that a developer can follow
// it. Use it only in development: the files are not encrypted.
type Outbox struct {
	// Dir is the outbox directory; it is created with mode 0700.
	Dir string
	// From is the sender address; "" means DefaultFrom.
	From string
	// Logger receives one info record per message; nil means slog.Default().
	Logger *slog.Logger
}

var _ Sender = (*Outbox)(nil)

// Send validates and renders m and writes it to a new file in o.Dir named
// <UTC timestamp>-<kind>-<random>.eml, with mode 0600. The file appears
// whole or not at all. The recipient is never logged.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return quire.WrapError(quire.EUNAVAILABLE, "The email could not be sent.", err)
	}
	from, err := parseFrom(o.From)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	msg, err := build(from, m, now)
	if err != nil {
		return err
	}
	if undeliverable(m.To) {
		return nil // .invalid, as the trust checks' throwaway accounts: not worth a file
	}
	name := fileName(now, m.Kind)
	if err := o.store(msg, name); err != nil {
		return quire.WrapError(quire.EINTERNAL, "The email could not be written.", err)
	}
	attrs := []slog.Attr{slog.String("kind", m.Kind), slog.String("path", filepath.Join(o.Dir, name))}
	if link, ok := m.Data["link"]; ok {
		attrs = append(attrs, slog.String("link", link))
	}
	o.logger().LogAttrs(ctx, slog.LevelInfo, "email written to outbox", attrs...)
	return nil
}

// store writes msg into o.Dir as name, whole or not at all.
func (o *Outbox) store(msg *gomail.Msg, name string) error {
	if err := ensurePrivateDir(o.Dir); err != nil {
		return err
	}
	return writeAtomic(o.Dir, name, func(w io.Writer) error {
		_, err := msg.WriteTo(w)
		return err
	})
}

// logger returns o.Logger or the default logger.
func (o *Outbox) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}

// fileName returns <UTC timestamp>-<kind>-<random>.eml; the timestamp
// sorts the outbox by time, the random part keeps names unique.
func fileName(now time.Time, kind string) string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return now.UTC().Format("20060102T150405.000000000Z") + "-" + kind + "-" + hex.EncodeToString(b[:]) + ".eml"
}
