package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/breach"
	"github.com/quirehq/quire/config"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/mfa"
	"github.com/quirehq/quire/password"
)

// newAuth builds the account system from the configuration: Argon2id
// hashing, the password policy, the breach check, email (SMTP, or the
// development outbox) and passkeys. linkBase gives the public URL for
// links in emails once the server knows it.
func newAuth(a *app, logger *slog.Logger, linkBase func() string) (*auth.Service, error) {
	c := a.cfg.Auth
	hasher, err := password.New(password.Options{
		Params: password.Params{Memory: c.Passwords.Argon2.MemoryKiB, Time: c.Passwords.Argon2.Iterations,
			Threads: c.Passwords.Argon2.Parallelism, SaltLen: 16, KeyLen: 32},
		MaxConcurrent: c.Passwords.MaxConcurrentHashes})
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	checker, err := newBreachChecker(c.Breach, logger)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	sender, err := newMailer(a.cfg, a.stderr)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	// Requests never wait on the relay (nor, so, tell by their timing
	// whether they sent mail); app.Close delivers what is queued.
	a.mail = mail.NewAsync(sender, mailQueue, logger)
	passkeys, err := mfa.NewPasskeys(a.cfg.PasskeyRPID(), "Quire", a.cfg.PasskeyOrigins())
	if err != nil {
		return nil, fmt.Errorf("auth passkeys: %w", err)
	}
	return auth.New(auth.Config{
		LockoutAttempts: c.Lockout.Attempts, LockoutDuration: c.Lockout.Duration, LockoutIndefinite: c.Lockout.Indefinite,
		SessionIdle: c.Sessions.IdleTimeout, SessionLifetime: c.Sessions.Lifetime,
		BaseURL: a.cfg.Server.PublicURL, Admins: c.Admins, NoSignInNotice: !c.SignInNotice,
	}, auth.Deps{
		Users: a.stores.users, Workspaces: a.stores.workspaces, Store: a.stores.auth,
		Hasher: hasher, Policy: password.Policy{MinLength: c.Passwords.MinLength, MaxLength: c.Passwords.MaxLength},
		Breach: checker, Mail: a.mail, Index: a.barrier.BlindIndex, Passkeys: passkeys,
		Strength: strength, Logger: logger, LinkBase: linkBase,
	})
}

// mailQueue is how many messages may wait for the relay.
const mailQueue = 1000

// strength adapts the password package's zxcvbn feedback.
func strength(pw string, inputs []string) auth.Strength {
	f := password.Strength(pw, inputs)
	return auth.Strength{Score: f.Score, Warning: f.Warning, Suggestions: f.Suggestions}
}

// newBreachChecker returns the breach check: the offline list always, and
// the k-anonymity range API when it is on. A failed range request that
// fails open is logged (without the password or its hash).
func newBreachChecker(b config.Breach, logger *slog.Logger) (*breach.Checker, error) {
	o := breach.Options{DisableRange: !b.Online(), RangeURL: b.RangeURL, Timeout: b.Timeout, FailClosed: b.FailClosed,
		OnRangeError: func(err error) { logger.Warn("breach range check failed", "err", err) }}
	if !b.Online() {
		o.RangeURL = ""
	}
	return breach.New(o)
}

// newMailer returns the SMTP sender, or in development without a relay the
// outbox that writes every message to <data>/outbox.
func newMailer(cfg *config.Config, stderr io.Writer) (mail.Sender, error) {
	if cfg.Mail.SMTP.Host == "" {
		// Development only (production requires a relay): the link of each
		// message goes to the terminal, not to the masked log files, so a
		// developer can follow it.
		return &mail.Outbox{Dir: cfg.OutboxDir(), From: cfg.Mail.From, Logger: slog.New(slog.NewTextHandler(stderr, nil))}, nil
	}
	s := cfg.Mail.SMTP
	return mail.NewSMTP(mail.SMTPConfig{Host: s.Host, Port: s.Port, Username: s.Username,
		Password: s.Password.Reveal(), From: cfg.Mail.From, TLS: s.TLS, Timeout: s.Timeout})
}
