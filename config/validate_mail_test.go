package config

import (
	"testing"
	"time"
)

func smtp(mut func(*SMTP)) func(*Config) { return func(c *Config) { mut(&c.Mail.SMTP) } }

func from(s string) func(*Config) { return func(c *Config) { c.Mail.From = s } }

// TestValidateMailMessages is the golden list of the mail section's
// messages. The password "hunter2" must never appear in one.
func TestValidateMailMessages(t *testing.T) {
	t.Parallel()
	relay := smtp(func(s *SMTP) { s.Host, s.Username, s.Password = "smtp.example.com", "quire", "hunter2" })
	runValidateCases(t, []validateCase{
		{"outbox in development", nil, nil},
		{"relay", fns(relay), nil},
		{"relay in production", fns(production, relay), nil},
		{"from plain", fns(from("quire@example.com")), nil},
		{"from quoted name", fns(from(`"Quire, Inc." <quire@example.com>`)), nil},
		{"from empty", fns(from("")), []string{fromMsg}},
		{"from list", fns(from("a@example.com, b@example.com")), []string{fromMsg}},
		{"from header injection", fns(from("Quire <quire@example.com>\r\nBcc: x@example.com")), []string{fromMsg}},
		{"from newline in name", fns(from("\"Quire\nBcc: x@example.com\" <quire@example.com>")), []string{fromMsg}},
		{"from no address", fns(from("Quire")), []string{fromMsg}},
		{"from no domain", fns(from("quire@")), []string{fromMsg}},
		{"from invalid UTF-8", fns(from("Qu\xffire <quire@example.com>")), []string{fromMsg}},
		{"production without a relay", fns(production, smtp(func(s *SMTP) { s.Host = "" })), []string{
			"mail.smtp.host: production sends real email: set the relay's host name (the outbox directory is for development)"}},
		{"host with port", fns(smtp(func(s *SMTP) { s.Host = "smtp.example.com:587" })), []string{hostMsg}},
		{"host URL", fns(smtp(func(s *SMTP) { s.Host = "smtp://smtp.example.com" })), []string{hostMsg}},
		{"host IPv6", fns(smtp(func(s *SMTP) { s.Host = "::1" })), nil},
		{"port zero", fns(smtp(func(s *SMTP) { s.Port = 0 })), []string{portMsg}},
		{"port large", fns(smtp(func(s *SMTP) { s.Port = 65536 })), []string{portMsg}},
		{"tls unknown", fns(smtp(func(s *SMTP) { s.TLS = "ssl" })), []string{"mail.smtp.tls: must be one of starttls, tls, none"}},
		{"tls implicit", fns(smtp(func(s *SMTP) { s.Host, s.TLS = "smtp.example.com", SMTPImplicitTLS })), nil},
		{"tls none to loopback", fns(smtp(func(s *SMTP) { s.Host, s.TLS = "127.0.0.1", SMTPNoTLS })), nil},
		{"tls none to loopback in production", fns(production, smtp(func(s *SMTP) { s.Host, s.TLS = "localhost", SMTPNoTLS })), nil},
		{"tls none without a relay", fns(smtp(func(s *SMTP) { s.TLS = SMTPNoTLS })), nil},
		{"tls none to a remote host", fns(smtp(func(s *SMTP) { s.Host, s.TLS = "smtp.example.com", SMTPNoTLS })), []string{noTLSMsg}},
		{"tls none to a remote host in production", fns(production, smtp(func(s *SMTP) { s.Host, s.TLS = "10.0.0.25", SMTPNoTLS })), []string{noTLSMsg}},
		{"timeout zero", fns(smtp(func(s *SMTP) { s.Timeout = 0 })), []string{smtpTimeoutMsg}},
		{"timeout long", fns(smtp(func(s *SMTP) { s.Timeout = 5*time.Minute + 1 })), []string{smtpTimeoutMsg}},
		{"credentials without a relay", fns(smtp(func(s *SMTP) { s.Username, s.Password = "quire", "hunter2" })), []string{
			"mail.smtp.username: only applies with a relay; set mail.smtp.host, or remove it",
			"mail.smtp.password: only applies with a relay; set mail.smtp.host, or remove it"}},
		{"password without username", fns(relay, smtp(func(s *SMTP) { s.Username = "" })), []string{
			"mail.smtp.username: required with mail.smtp.password"}},
		{"username without password", fns(relay, smtp(func(s *SMTP) { s.Password = "" })), nil},
		{"control characters", fns(relay, smtp(func(s *SMTP) { s.Username, s.Password = "quire\r\n", "hunter2\n" })), []string{
			"mail.smtp.username: must not contain line breaks or control characters",
			"mail.smtp.password: must not contain line breaks or control characters; check the variable for a trailing newline"}},
	})
}

const (
	fromMsg        = `mail.from: must be one address, optionally with a display name, e.g. "Quire <quire@example.com>" (no line breaks, no list)`
	hostMsg        = "mail.smtp.host: must be a DNS name or an IP address, without scheme or port (the port goes in mail.smtp.port)"
	portMsg        = "mail.smtp.port: must be between 1 and 65535, e.g. 587 (starttls) or 465 (tls)"
	noTLSMsg       = `mail.smtp.tls: "none" is allowed only to a loopback host (127.0.0.1, ::1, localhost); use starttls or tls (claim TLS-2)`
	smtpTimeoutMsg = "mail.smtp.timeout: must be positive and at most 5m, e.g. 10s"
)
