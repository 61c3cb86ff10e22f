package config

import "time"

// Retention configures the retention janitor: how often it runs and the
// periods of the rules that are not configured with their component
// (logs.retention, workspace.versions, auth.sessions and the files'
// sweep are).
type Retention struct {
	// Every is how often every rule runs (default 1h); the first run
	// follows a minute after the server starts.
	Every time.Duration `yaml:"every"`
	// AuditLog is how long security audit log entries are kept (default
	// 365d, at least 30d).
	AuditLog time.Duration `yaml:"audit_log"`
	// Usage is how long AI usage records are kept (default 400d).
	Usage time.Duration `yaml:"usage"`
	// ExpiredInvitations is how long a folder invitation never accepted is
	// kept after it expired, so that its link can still say it expired
	// (default 30d; 0 deletes it at once).
	ExpiredInvitations time.Duration `yaml:"expired_invitations"`
}

// Defaults and bounds of the retention section.
const (
	DefaultRetentionEvery       = time.Hour
	DefaultAuditRetention       = 365 * day
	DefaultUsageRetention       = 400 * day
	DefaultInvitationsRetention = 30 * day
	minRetentionEvery           = time.Minute
	maxRetentionEvery           = day
	// MinAuditRetention matches the floor the stores enforce.
	MinAuditRetention = 30 * day
	maxRetention      = 10 * 365 * day
)

// baseRetention returns the defaults of the retention section.
func baseRetention() Retention {
	return Retention{Every: DefaultRetentionEvery, AuditLog: DefaultAuditRetention, Usage: DefaultUsageRetention,
		ExpiredInvitations: DefaultInvitationsRetention}
}

func (c *Config) validateRetention(p *problems) {
	r := c.Retention
	if r.Every < minRetentionEvery || r.Every > maxRetentionEvery {
		p.add("retention.every", "must be from 1m to 24h, such as 1h")
	}
	if r.AuditLog < MinAuditRetention || r.AuditLog > maxRetention {
		p.add("retention.audit_log", "must be from 30d to 3650d, such as 365d")
	}
	if r.Usage < day || r.Usage > maxRetention {
		p.add("retention.usage", "must be from 1d to 3650d, such as 400d")
	}
	if r.ExpiredInvitations < 0 || r.ExpiredInvitations > 365*day {
		p.add("retention.expired_invitations", "must be from 0 (delete at once) to 365d, such as 30d")
	}
}
