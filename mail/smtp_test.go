package mail

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"testing"
	"time"
)

// newFake starts a fake relay with a fresh certificate and returns it with
// an SMTPConfig that trusts it.
func newFake(t *testing.T, f *fakeSMTP, mode string) (*fakeSMTP, SMTPConfig) {
	t.Helper()
	cert, pool := serverCert(t)
	if f.tlsConfig == nil {
		f.tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	port := f.start(t)
	return f, SMTPConfig{Host: "127.0.0.1", Port: port, From: "Quire <noreply@quire.test>",
		TLS: mode, Timeout: 10 * time.Second, RootCAs: pool}
}

// mustSMTP returns NewSMTP(cfg) or fails the test.
func mustSMTP(t *testing.T, cfg SMTPConfig) *SMTP {
	t.Helper()
	s, err := NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSMTPStartTLSDelivers(t *testing.T) {
	f, cfg := newFake(t, &fakeSMTP{startTLS: true, authPlain: true}, "")
	cfg.Username, cfg.Password = "relay-user", "relay-secret"
	if err := mustSMTP(t, cfg).Send(context.Background(), VerifyEmail("alice@example.com", testLink)); err != nil {
		t.Fatal(err)
	}
	s := f.next(t)
	if !s.encrypted || s.tlsVersion < tls.VersionTLS12 {
		t.Fatalf("session not upgraded to TLS 1.2+: encrypted=%v version=%x commands=%q", s.encrypted, s.tlsVersion, s.commands)
	}
	if s.sawBefore("AUTH", "MAIL", "RCPT", "DATA") {
		t.Errorf("credentials or mail sent before STARTTLS: %q", s.commands)
	}
	if s.auth != "\x00relay-user\x00relay-secret" {
		t.Errorf("AUTH PLAIN = %q", s.auth)
	}
	if !strings.Contains(s.mailFrom, "<noreply@quire.test>") || len(s.rcpts) != 1 || !strings.Contains(s.rcpts[0], "<alice@example.com>") {
		t.Errorf("envelope: MAIL %q RCPT %q", s.mailFrom, s.rcpts)
	}
	m := parseEML(t, []byte(s.data))
	if got := m.header.Get("Subject"); got != "Confirm your email address for Quire" {
		t.Errorf("Subject = %q", got)
	}
	if got := linkLine.FindStringSubmatch(m.text); got == nil || got[1] != testLink {
		t.Errorf("link in delivered text = %q", got)
	}
}

func TestSMTPImplicitTLSDelivers(t *testing.T) {
	f, cfg := newFake(t, &fakeSMTP{implicit: true}, TLSImplicit)
	if err := mustSMTP(t, cfg).Send(context.Background(), ResetPassword("bob@example.com", testLink)); err != nil {
		t.Fatal(err)
	}
	s := f.next(t)
	if !s.encrypted || s.tlsVersion < tls.VersionTLS12 || !strings.Contains(s.data, "Subject: Reset your Quire password") {
		t.Errorf("encrypted=%v version=%x data:\n%s", s.encrypted, s.tlsVersion, s.data)
	}
}

func TestSMTPPlaintextToLoopback(t *testing.T) {
	f, cfg := newFake(t, &fakeSMTP{}, TLSNone)
	cfg.From = "" // loopback: DefaultFrom
	if err := mustSMTP(t, cfg).Send(context.Background(), VerifyEmail("carol@example.com", testLink)); err != nil {
		t.Fatal(err)
	}
	s := f.next(t)
	if s.encrypted || !strings.Contains(s.mailFrom, "<quire@localhost>") || !strings.Contains(s.data, "Subject: Confirm your email address") {
		t.Errorf("encrypted=%v MAIL %q data:\n%s", s.encrypted, s.mailFrom, s.data)
	}
}

// TestSMTPRefusesInsecureRelays: with STARTTLS required, a relay that does
// not offer it, presents an untrusted certificate, or speaks only old TLS
// gets neither credentials nor the message.
func TestSMTPRefusesInsecureRelays(t *testing.T) {
	cert, _ := serverCert(t)
	old := &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tls.VersionTLS11}
	tests := map[string]struct {
		fake           *fakeSMTP
		trusted, creds bool
	}{
		"no STARTTLS":                {&fakeSMTP{authPlain: true}, true, true},
		"no STARTTLS, no credential": {&fakeSMTP{}, true, false},
		"untrusted cert":             {&fakeSMTP{startTLS: true, authPlain: true}, false, true},
		"untrusted cert, no auth":    {&fakeSMTP{startTLS: true}, false, false},
		"TLS 1.1 only server":        {&fakeSMTP{startTLS: true, tlsConfig: old}, true, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f, cfg := newFake(t, tt.fake, TLSStartTLS)
			if tt.creds {
				cfg.Username, cfg.Password = "relay-user", "relay-secret"
			}
			if !tt.trusted {
				cfg.RootCAs = nil // system roots do not know the fake's certificate
			}
			wantCode(t, mustSMTP(t, cfg).Send(context.Background(), VerifyEmail("alice@example.com", testLink)), "unavailable")
			s := f.next(t)
			if s.auth != "" || s.mailFrom != "" || s.data != "" || s.encrypted {
				t.Errorf("insecure relay got auth=%q mail=%q data=%d bytes encrypted=%v", s.auth, s.mailFrom, len(s.data), s.encrypted)
			}
		})
	}
}

func TestSMTPStuckRelayTimesOut(t *testing.T) {
	f, cfg := newFake(t, &fakeSMTP{silent: true}, "")
	cfg.Timeout = 200 * time.Millisecond
	wantCode(t, mustSMTP(t, cfg).Send(context.Background(), VerifyEmail("a@example.com", testLink)), "unavailable")
	if s := f.next(t); len(s.commands) != 0 {
		t.Errorf("silent relay got %q", s.commands)
	}
}

func TestSMTPErrorHidesRecipient(t *testing.T) {
	f, cfg := newFake(t, &fakeSMTP{startTLS: true, rejectRcpt: true}, "")
	err := mustSMTP(t, cfg).Send(context.Background(), VerifyEmail("secret-person@example.com", testLink))
	wantCode(t, err, "unavailable")
	if strings.Contains(err.Error(), "secret-person") {
		t.Errorf("error names the recipient: %v", err)
	}
	if !strings.Contains(err.Error(), "550") {
		t.Errorf("error lacks the SMTP status for the log: %v", err)
	}
	if s := f.next(t); len(s.rcpts) != 1 || s.data != "" {
		t.Errorf("RCPT %q, data %d bytes", s.rcpts, len(s.data))
	}
}

func TestSMTPRefusesHeaderInjection(t *testing.T) {
	f, cfg := newFake(t, &fakeSMTP{startTLS: true}, "")
	sender := mustSMTP(t, cfg)
	for _, to := range []string{"a@example.com\r\nBcc: evil@example.com", "a@example.com, evil@example.com"} {
		wantCode(t, sender.Send(context.Background(), VerifyEmail(to, testLink)), "invalid_input")
	}
	// The refused messages never reached the relay: the first session it
	// sees is the next, valid one.
	if err := sender.Send(context.Background(), VerifyEmail("ok@example.com", testLink)); err != nil {
		t.Fatal(err)
	}
	if s := f.next(t); len(s.rcpts) != 1 || !strings.Contains(s.rcpts[0], "ok@example.com") || strings.Contains(s.data, "evil") {
		t.Errorf("first session: RCPT %q", s.rcpts)
	}
}

func TestNewSMTPRefusesUnsafeConfig(t *testing.T) {
	base := SMTPConfig{Host: "smtp.example.com", From: "Quire <noreply@example.com>"}
	tests := map[string]func(*SMTPConfig){
		"plaintext to remote name": func(c *SMTPConfig) { c.TLS = TLSNone },
		"plaintext to remote IP":   func(c *SMTPConfig) { c.TLS, c.Host = TLSNone, "10.0.0.1" },
		"unknown mode":             func(c *SMTPConfig) { c.TLS = "opportunistic" },
		"host with port":           func(c *SMTPConfig) { c.Host = "smtp.example.com:25" },
		"unix socket":              func(c *SMTPConfig) { c.Host = "unix:///run/smtp.sock" },
		"empty host":               func(c *SMTPConfig) { c.Host = "" },
		"port too large":           func(c *SMTPConfig) { c.Port = 70000 },
		"negative timeout":         func(c *SMTPConfig) { c.Timeout = -time.Second },
		"password only":            func(c *SMTPConfig) { c.Password = "x" },
		"no from for remote host":  func(c *SMTPConfig) { c.From = "" },
		"injected from":            func(c *SMTPConfig) { c.From = "a@example.com\r\nBcc: b@example.com" },
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := base
			change(&cfg)
			s, err := NewSMTP(cfg)
			wantCode(t, err, "invalid_input")
			if s != nil {
				t.Errorf("NewSMTP returned a sender with an error")
			}
		})
	}
}

func TestSMTPConfigStringHidesPassword(t *testing.T) {
	cfg := SMTPConfig{Host: "smtp.example.com", Username: "u", Password: "hunter2-secret"}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%v", &cfg)} {
		if strings.Contains(s, "hunter2") || !strings.Contains(s, "[REDACTED]") {
			t.Errorf("printed config = %q", s)
		}
	}
}

func TestNewSMTPDefaults(t *testing.T) {
	tests := []struct {
		cfg  SMTPConfig
		port int
		mode string
	}{
		{SMTPConfig{Host: "smtp.example.com", From: "a@example.com"}, 587, TLSStartTLS},
		{SMTPConfig{Host: "smtp.example.com", From: "a@example.com", TLS: TLSImplicit}, 465, TLSImplicit},
		{SMTPConfig{Host: "localhost", TLS: TLSNone}, 25, TLSNone},
		{SMTPConfig{Host: "::1", TLS: TLSNone, Port: 1025}, 1025, TLSNone},
		{SMTPConfig{Host: "127.0.0.2", TLS: TLSNone}, 25, TLSNone},
	}
	for _, tt := range tests {
		s, err := NewSMTP(tt.cfg)
		if err != nil {
			t.Errorf("NewSMTP(%+v) = %v", tt.cfg, err)
			continue
		}
		if s.cfg.Port != tt.port || s.cfg.TLS != tt.mode || s.cfg.Timeout != DefaultTimeout {
			t.Errorf("NewSMTP(%+v) config = %+v", tt.cfg, s.cfg)
		}
		if c := s.tlsConfig(); c.MinVersion != tls.VersionTLS12 || c.ServerName != tt.cfg.Host || c.InsecureSkipVerify {
			t.Errorf("TLS config for %q: min %x, name %q, skip verify %v", tt.cfg.Host, c.MinVersion, c.ServerName, c.InsecureSkipVerify)
		}
	}
}

func TestSMTPSkipsReservedInvalidDomain(t *testing.T) {
	f, cfg := newFake(t, &fakeSMTP{startTLS: true}, "")
	s := mustSMTP(t, cfg)
	if err := s.Send(context.Background(), VerifyEmail("trust-x@trust-check.invalid", testLink)); err != nil {
		t.Fatalf("a message to .invalid: %v", err)
	}
	if err := s.Send(context.Background(), VerifyEmail("carol@example.com", testLink)); err != nil {
		t.Fatal(err)
	}
	// The first session the relay saw is the second message's: the first
	// never left.
	if got := f.next(t); len(got.rcpts) != 1 || !strings.Contains(got.rcpts[0], "<carol@example.com>") {
		t.Fatalf("the relay's first session was for %q", got.rcpts)
	}
}
