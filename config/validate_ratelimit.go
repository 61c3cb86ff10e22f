package config

import (
	"net/url"
	"time"
)

// validateRateLimit checks the rates and the Redis URL (TLS beyond
// loopback in production, claim TLS-2).
func (c *Config) validateRateLimit(p *problems) {
	rl := c.RateLimit
	for _, s := range []struct {
		key  string
		spec RateSpec
	}{{"ratelimit.per_ip", rl.PerIP}, {"ratelimit.per_user", rl.PerUser}, {"ratelimit.per_key", rl.PerKey}} {
		switch {
		case s.spec.Rate < 1 || s.spec.Rate > 1_000_000:
			p.add(s.key+".rate", "must be between 1 and 1000000 requests per period")
		case s.spec.Period < time.Second || s.spec.Period > 24*time.Hour:
			p.add(s.key+".period", "must be between 1s and 24h")
		case s.spec.Burst < 0 || s.spec.Burst > 1_000_000:
			p.add(s.key+".burst", "must be between 0 (the rate) and 1000000")
		}
	}
	if rl.RedisTimeout < time.Millisecond || rl.RedisTimeout > 5*time.Second {
		p.add("ratelimit.redis_timeout", "must be between 1ms and 5s: every request waits for it")
	}
	if raw := rl.RedisURL.Reveal(); raw != "" {
		u, err := url.Parse(raw)
		switch {
		case err != nil || u.Host == "" || u.Scheme != "redis" && u.Scheme != "rediss":
			p.add("ratelimit.redis_url", "must be a redis:// or rediss:// URL, e.g. rediss://redis.internal:6379/0")
		case u.Scheme == "redis" && c.Production() && !isLoopback(u.Hostname()):
			p.add("ratelimit.redis_url", "must use rediss:// (TLS) for a non-loopback host in production (claim TLS-2)")
		}
	}
}
