package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/quirehq/quire"
)

// SMTP is the production Sender: it delivers each message through an SMTP
// relay over TLS 1.2+ with certificate verification. Create it with
// NewSMTP; it is safe for concurrent use (each Send opens its own
// connection).
type SMTP struct {
	cfg  SMTPConfig
	from *mail.Address
}

var _ Sender = (*SMTP)(nil)

// NewSMTP validates cfg and returns an SMTP sender. It refuses, with an
// EINVALID *quire.Error, an unknown TLS mode, plaintext ("none") to a host
// that is not loopback, and an invalid sender address.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	from, err := parseFrom(cfg.From)
	if err != nil {
		return nil, err
	}
	return &SMTP{cfg: cfg, from: from}, nil
}

// Send validates and renders m and delivers it. The time left before the
// configured timeout (or ctx's deadline if sooner) is the connection
// deadline; go-mail renews it once, before sending, so a stuck relay holds
// Send for at most about twice that. Cancelling ctx stops only the
// connect: go-mail does not watch ctx afterwards. A delivery failure is an
// EUNAVAILABLE *quire.Error whose cause holds no address.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := build(s.from, m, time.Now())
	if err != nil {
		return err
	}
	if undeliverable(m.To) {
		return nil // RFC 2606 .invalid: no relay could deliver it (the trust checks' throwaway accounts)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	remaining := time.Until(deadline)
	if remaining <= 0 {
		return quire.WrapError(quire.EUNAVAILABLE, "The email could not be sent.", context.DeadlineExceeded)
	}
	client, err := gomail.NewClient(s.cfg.Host, s.options(remaining)...)
	if err != nil {
		return quire.WrapError(quire.EINTERNAL, "The email could not be sent.", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return quire.WrapError(quire.EUNAVAILABLE, "The email could not be sent.", safeCause(err))
	}
	return nil
}

// options are the go-mail client options for one delivery: the
// connection deadline is timeout, TLS is 1.2+ verified against the relay's
// name, and STARTTLS is mandatory in the default mode.
func (s *SMTP) options(timeout time.Duration) []gomail.Option {
	c := s.cfg
	opts := []gomail.Option{
		gomail.WithPort(c.Port),
		gomail.WithTimeout(timeout),
		gomail.WithTLSConfig(s.tlsConfig()),
	}
	switch c.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if c.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(c.Username), gomail.WithPassword(c.Password))
	}
	return opts
}

// tlsConfig verifies the relay's certificate for its configured name
// (against RootCAs or the system roots) and refuses anything below TLS 1.2.
func (s *SMTP) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12, RootCAs: s.cfg.RootCAs}
}

// safeCause returns err for the log without the recipient addresses that
// go-mail's SendError lists (and that a server reply may echo): the reason,
// SMTP status codes and whether the failure is temporary are kept.
func safeCause(err error) error {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return err
	}
	return fmt.Errorf("smtp: %s (code %d, enhanced %q, temporary %t)",
		se.Reason, se.ErrorCode(), se.EnhancedStatusCode(), se.IsTemp())
}

// undeliverable reports whether the address is under the reserved .invalid
// top-level domain (RFC 2606), which no mail system delivers to.
func undeliverable(to string) bool {
	a, err := parseAddress(to)
	if err != nil {
		return false
	}
	return strings.HasSuffix(strings.ToLower(strings.TrimSuffix(a.Address, ".")), ".invalid")
}
