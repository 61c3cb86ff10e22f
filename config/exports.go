package config

import "time"

// Exports configures the users' data exports (claim GDPR-1): how long a
// ready archive may be downloaded before it is deleted, and how many
// exports a user may start in a day.
type Exports struct {
	// TTL is how long a ready archive may be downloaded; it is deleted
	// then, or at its first complete download. Default 7d; 1h to 30d.
	TTL time.Duration `yaml:"ttl"`
	// PerDay is how many exports one user may start in 24 hours.
	// Default 3; 1 to 100.
	PerDay int `yaml:"per_day"`
}

// Defaults and bounds of the exports section.
const (
	DefaultExportTTL    = 7 * day
	DefaultExportPerDay = 3
	minExportTTL        = time.Hour
	maxExportTTL        = 30 * day
	maxExportPerDay     = 100
)

// baseExports returns the defaults of the exports section.
func baseExports() Exports { return Exports{TTL: DefaultExportTTL, PerDay: DefaultExportPerDay} }

func (c *Config) validateExports(p *problems) {
	if c.Exports.TTL < minExportTTL || c.Exports.TTL > maxExportTTL {
		p.add("exports.ttl", "must be from 1h to 30d, such as 7d: an archive holds the user's data unencrypted once downloaded, so it must not wait long")
	}
	if c.Exports.PerDay < 1 || c.Exports.PerDay > maxExportPerDay {
		p.add("exports.per_day", "must be from 1 to %d", maxExportPerDay)
	}
}
