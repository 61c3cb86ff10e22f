package config

import (
	"testing"
	"time"
)

func TestRetentionDefaultsAndSection(t *testing.T) {
	t.Parallel()
	if got, want := defaults(env()).Retention, (Retention{Every: time.Hour, AuditLog: 365 * day, Usage: 400 * day,
		ExpiredInvitations: 30 * day}); got != want {
		t.Fatalf("defaults = %+v, want %+v", got, want)
	}
	c := mustParse(t, yamlDoc(`
retention:
	every: 15m
	audit_log: 730d
	usage: 90d
	expired_invitations: 0s
`), env())
	want := Retention{Every: 15 * time.Minute, AuditLog: 730 * day, Usage: 90 * day}
	if c.Retention != want {
		t.Fatalf("retention = %+v, want %+v", c.Retention, want)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
}

func TestRetentionValidation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		set  func(*Retention)
		key  string
	}{
		{"every too short", func(r *Retention) { r.Every = time.Second }, "retention.every"},
		{"every too long", func(r *Retention) { r.Every = 2 * day }, "retention.every"},
		{"audit below the floor", func(r *Retention) { r.AuditLog = 29 * day }, "retention.audit_log"},
		{"usage zero", func(r *Retention) { r.Usage = 0 }, "retention.usage"},
		{"invitations negative", func(r *Retention) { r.ExpiredInvitations = -time.Hour }, "retention.expired_invitations"},
		{"invitations too long", func(r *Retention) { r.ExpiredInvitations = 400 * day }, "retention.expired_invitations"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := defaults(env())
			tc.set(&c.Retention)
			errs := FieldErrors(c.Validate())
			if len(errs) != 1 || errs[0].Key != tc.key {
				t.Fatalf("errors = %v, want one for %s", errorLines(c.Validate()), tc.key)
			}
		})
	}
}
