package config

// Metrics configures the Prometheus endpoint, GET /metrics.
type Metrics struct {
	// Enabled records the metrics (default true); they are served once a
	// token is set.
	Enabled bool `yaml:"enabled"`
	// Token is the credential a scraper presents ("Authorization: Bearer
	// <token>"); without one the endpoint is not served. At least 32
	// characters.
	Token Secret `yaml:"token"`
}

// minMetricsToken is the shortest metrics token accepted: 32 random
// characters are far beyond guessing at any request rate.
const minMetricsToken = 32

func (c *Config) validateMetrics(p *problems) {
	if t := c.Metrics.Token.Reveal(); t != "" && len(t) < minMetricsToken {
		p.add("metrics.token", "must be at least %d characters; generate one with: openssl rand -hex 32", minMetricsToken)
	}
}
