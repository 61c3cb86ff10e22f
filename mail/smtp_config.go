package mail

import (
	"crypto/x509"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/quirehq/quire"
)

// TLS modes of an SMTP relay connection.
const (
	// TLSStartTLS upgrades a plain connection with STARTTLS and refuses a
	// server that does not offer it. The default.
	TLSStartTLS = "starttls"
	// TLSImplicit speaks TLS from the first byte (SMTPS, usually port 465).
	TLSImplicit = "tls"
	// TLSNone sends in plaintext; allowed only to a loopback host, for a
	// local development relay.
	TLSNone = "none"
)

// defaultPorts is the port of each TLS mode when none is configured.
var defaultPorts = map[string]int{TLSStartTLS: 587, TLSImplicit: 465, TLSNone: 25}

// DefaultTimeout bounds one delivery (connect, TLS, auth, data) when
// SMTPConfig.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// SMTPConfig configures delivery through an SMTP relay.
type SMTPConfig struct {
	// Host is the relay's DNS name or IP address, without port.
	Host string
	// Port is the relay's port; 0 picks the mode's usual port.
	Port int
	// Username and Password authenticate to the relay; both empty means no
	// authentication. The password is sent only over TLS (or to loopback).
	Username string
	Password string
	// From is the sender address; it may be "" only for a loopback host,
	// which then uses DefaultFrom.
	From string
	// TLS is TLSStartTLS (default when ""), TLSImplicit or TLSNone.
	TLS string
	// Timeout bounds one delivery; 0 means DefaultTimeout.
	Timeout time.Duration
	// RootCAs verifies the relay's certificate; nil means the system roots.
	RootCAs *x509.CertPool
}

// String describes c without its password, so that printing or logging a
// configuration cannot leak the secret.
func (c SMTPConfig) String() string {
	pw := ""
	if c.Password != "" {
		pw = "[REDACTED]"
	}
	return fmt.Sprintf("smtp{host=%s port=%d tls=%s username=%s password=%s from=%s timeout=%s}",
		c.Host, c.Port, c.TLS, c.Username, pw, c.From, c.Timeout)
}

// configError is the EINVALID error of a refused SMTP configuration. It
// names the setting and how to fix it; it never holds a configured value.
func configError(msg string) error {
	return quire.Errorf(quire.EINVALID, "SMTP configuration: %s", msg)
}

// normalize checks c and fills in its defaults (claim TLS-2: plaintext
// only to loopback).
func (c SMTPConfig) normalize() (SMTPConfig, error) {
	if !validHost(c.Host) {
		return c, configError("host must be a DNS name or an IP address, without port")
	}
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	if _, ok := defaultPorts[c.TLS]; !ok {
		return c, configError(`tls must be "starttls", "tls" or "none"`)
	}
	if c.TLS == TLSNone && !isLoopback(c.Host) {
		return c, configError(`tls "none" is allowed only to a loopback host (127.0.0.1, ::1, localhost); use "starttls" or "tls"`)
	}
	if c.Port == 0 {
		c.Port = defaultPorts[c.TLS]
	}
	if c.Port < 1 || c.Port > 65535 {
		return c, configError("port must be between 1 and 65535")
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Timeout < 0 {
		return c, configError("timeout must be positive")
	}
	if c.Password != "" && c.Username == "" {
		return c, configError("a password needs a username")
	}
	if c.From == "" && !isLoopback(c.Host) {
		return c, configError("from is required for a non-loopback host")
	}
	return c, nil
}

// validHost accepts an IP address or a DNS name made of letters, digits,
// hyphens and dots: nothing that could carry a port, path or socket.
func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if h == "" || len(h) > 253 {
		return false
	}
	return !strings.ContainsFunc(h, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.')
	})
}

// isLoopback reports whether host (a name or an IP) always refers to this
// machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
