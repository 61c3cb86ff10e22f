package config

import (
	"path/filepath"
	"time"
)

// SMTP TLS modes.
const (
	// SMTPStartTLS upgrades a plain connection with STARTTLS, and refuses a
	// relay that does not offer it. The default.
	SMTPStartTLS = "starttls"
	// SMTPImplicitTLS speaks TLS from the first byte (usually port 465).
	SMTPImplicitTLS = "tls"
	// SMTPNoTLS sends in plaintext; allowed only to a loopback host.
	SMTPNoTLS = "none"
)

// Defaults of the mail section.
const (
	DefaultMailFrom    = "Quire <quire@localhost>"
	DefaultSMTPTLS     = SMTPStartTLS
	DefaultSMTPTimeout = 10 * time.Second
)

// smtpPorts is the usual port of each TLS mode, the default of
// mail.smtp.port.
var smtpPorts = map[string]int{SMTPStartTLS: 587, SMTPImplicitTLS: 465, SMTPNoTLS: 25}

// outboxName is the directory under the data directory where development
// writes every email instead of sending it.
const outboxName = "outbox"

// Mail configures transactional email (verification, reset, lock and
// sign-in notices).
type Mail struct {
	// From is the sender: one address, optionally with a display name.
	// Default "Quire <quire@localhost>".
	From string `yaml:"from"`
	SMTP SMTP   `yaml:"smtp"`
}

// SMTP configures the relay that delivers email (claim TLS-2: TLS unless
// the relay is on loopback).
type SMTP struct {
	// Host is the relay's DNS name or IP address, without port. Empty means
	// no relay: development writes every email to OutboxDir; production
	// requires a host.
	Host string `yaml:"host"`
	// Port defaults to the usual port of the TLS mode: 587, 465 or 25.
	Port int `yaml:"port"`
	// Username and Password authenticate to the relay; both empty means no
	// authentication.
	Username string `yaml:"username"`
	Password Secret `yaml:"password"`
	// TLS is starttls (default), tls or none (loopback hosts only).
	TLS string `yaml:"tls"`
	// Timeout bounds one delivery. Default 10s.
	Timeout time.Duration `yaml:"timeout"`
	// Region and Attestation describe the relay in the sub-processor list
	// (claim SUB-1): where it runs, and a reference for its terms (free
	// text or an https URL). Both optional.
	Region      string `yaml:"region"`
	Attestation string `yaml:"attestation"`
}

func baseMail() Mail {
	return Mail{From: DefaultMailFrom, SMTP: SMTP{TLS: DefaultSMTPTLS, Timeout: DefaultSMTPTimeout}}
}

// finishMail fills the port from the TLS mode when none is given.
func (m *Mail) finishMail() {
	if m.SMTP.Port != 0 {
		return
	}
	if p, ok := smtpPorts[m.SMTP.TLS]; ok {
		m.SMTP.Port = p
	} else {
		m.SMTP.Port = smtpPorts[DefaultSMTPTLS]
	}
}

// OutboxDir is where development writes every email, one file each, when
// mail.smtp.host is empty: <data_dir>/outbox.
func (c *Config) OutboxDir() string { return filepath.Join(c.DataDir, outboxName) }
