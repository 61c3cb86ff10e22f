package config

import (
	"net"
	"strings"
	"time"
	"unicode"
)

// maxSMTPTimeout bounds mail.smtp.timeout.
const maxSMTPTimeout = 5 * time.Minute

func (c *Config) validateMail(p *problems) {
	m := c.Mail
	if !validFrom(m.From) {
		p.add("mail.from", `must be one address, optionally with a display name, e.g. "Quire <quire@example.com>" (no line breaks, no list)`)
	}
	s := m.SMTP
	switch {
	case s.Host == "" && c.Production():
		p.add("mail.smtp.host", "production sends real email: set the relay's host name (the outbox directory is for development)")
	case s.Host != "" && !validSMTPHost(s.Host):
		p.add("mail.smtp.host", "must be a DNS name or an IP address, without scheme or port (the port goes in mail.smtp.port)")
	}
	validateSMTPTransport(p, s)
	validateSMTPAuth(p, s)
}

func validateSMTPTransport(p *problems, s SMTP) {
	if s.Port < 1 || s.Port > 65535 {
		p.add("mail.smtp.port", "must be between 1 and 65535, e.g. 587 (starttls) or 465 (tls)")
	}
	switch s.TLS {
	case SMTPStartTLS, SMTPImplicitTLS:
	case SMTPNoTLS:
		if s.Host != "" && !isLoopback(s.Host) {
			p.add("mail.smtp.tls", `"none" is allowed only to a loopback host (127.0.0.1, ::1, localhost); use starttls or tls (claim TLS-2)`)
		}
	default:
		p.add("mail.smtp.tls", "must be one of starttls, tls, none")
	}
	if s.Timeout <= 0 || s.Timeout > maxSMTPTimeout {
		p.add("mail.smtp.timeout", "must be positive and at most 5m, e.g. 10s")
	}
}

// validateSMTPAuth checks the credentials without ever quoting them.
func validateSMTPAuth(p *problems, s SMTP) {
	if s.Host == "" {
		for _, k := range []struct {
			key string
			set bool
		}{{"mail.smtp.username", s.Username != ""}, {"mail.smtp.password", s.Password != ""}} {
			if k.set {
				p.add(k.key, "only applies with a relay; set mail.smtp.host, or remove it")
			}
		}
		return
	}
	if s.Password != "" && s.Username == "" {
		p.add("mail.smtp.username", "required with mail.smtp.password")
	}
	if strings.ContainsFunc(s.Username, unicode.IsControl) {
		p.add("mail.smtp.username", "must not contain line breaks or control characters")
	}
	if strings.ContainsFunc(s.Password.Reveal(), unicode.IsControl) {
		p.add("mail.smtp.password", "must not contain line breaks or control characters; check the variable for a trailing newline")
	}
}

// validSMTPHost accepts an IP address or a DNS name of letters, digits,
// hyphens and dots: nothing that could carry a scheme, port or path.
func validSMTPHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	return len(h) <= 253 && !strings.ContainsFunc(h, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.')
	})
}
