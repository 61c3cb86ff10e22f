package config

import "time"

// Defaults of the ratelimit section.
const (
	DefaultRedisTimeout = 50 * time.Millisecond
)

// RateLimit configures request rate limits (claim RL-1): per client address
// on every request, per signed-in user and per API key on the routes they
// use, each per route group. With redis_url set, instances share one budget
// per key through Redis; the in-process limiter applies either way.
type RateLimit struct {
	// PerIP limits every request of one client address (default 600 a
	// minute, bursts of 120).
	PerIP RateSpec `yaml:"per_ip"`
	// PerUser limits one signed-in user's requests to one route group
	// (default 1200 a minute, bursts of 200).
	PerUser RateSpec `yaml:"per_user"`
	// PerKey limits one API key's requests to one route group (default 600
	// a minute, bursts of 100).
	PerKey RateSpec `yaml:"per_key"`
	// RedisURL is the shared layer (redis:// or rediss://); "" keeps the
	// limits per instance.
	RedisURL Secret `yaml:"redis_url"`
	// RedisTimeout bounds each Redis call (default 50ms).
	RedisTimeout time.Duration `yaml:"redis_timeout"`
	// FailOpen lets requests through when Redis fails or is late (default
	// true); false refuses them.
	FailOpen bool `yaml:"fail_open"`
	// DryRun logs and counts the requests the limits would refuse, and
	// lets them through (to tune the limits before enforcing them).
	DryRun bool `yaml:"dry_run"`
}

// RateSpec is Rate requests per Period, Burst of them at once (0: Rate).
type RateSpec struct {
	Rate   int           `yaml:"rate"`
	Period time.Duration `yaml:"period"`
	Burst  int           `yaml:"burst"`
}

func baseRateLimit() RateLimit {
	return RateLimit{
		PerIP:        RateSpec{Rate: 600, Period: time.Minute, Burst: 120},
		PerUser:      RateSpec{Rate: 1200, Period: time.Minute, Burst: 200},
		PerKey:       RateSpec{Rate: 600, Period: time.Minute, Burst: 100},
		RedisTimeout: DefaultRedisTimeout,
		FailOpen:     true,
	}
}
