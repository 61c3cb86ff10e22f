package main

import (
	"context"
	"fmt"

	"github.com/quirehq/quire/config"
	"github.com/quirehq/quire/edge/ratelimit"
	qhttp "github.com/quirehq/quire/http"
	"github.com/redis/go-redis/v9"
)

// newRateLimits builds the request rate limits (claim RL-1): in process
// always, and through Redis too when ratelimit.redis_url is set, so that
// instances share one budget per key. The Redis key names are keyed with
// a secret derived from the keyring, which every instance shares.
func newRateLimits(a *app) (*qhttp.RateLimits, error) {
	rl := a.cfg.RateLimit
	var lim ratelimit.Limiter = ratelimit.NewMemory(ratelimit.MemoryOptions{})
	if raw := rl.RedisURL.Reveal(); raw != "" {
		opt, err := redis.ParseURL(raw)
		if err != nil {
			return nil, fmt.Errorf("ratelimit.redis_url: %w", err)
		}
		client := redis.NewClient(opt)
		a.closers = append(a.closers, client.Close)
		a.pingRedis = func(ctx context.Context) error { return client.Ping(ctx).Err() }
		lim = ratelimit.Chain{lim, ratelimit.NewRedis(client, ratelimit.RedisOptions{
			Secret:   a.barrier.BlindIndex("ratelimit.redis", []byte("v1")),
			Timeout:  rl.RedisTimeout,
			FailOpen: rl.FailOpen,
		})}
	}
	return &qhttp.RateLimits{Limiter: lim, PerIP: limitOf(rl.PerIP), PerUser: limitOf(rl.PerUser), PerKey: limitOf(rl.PerKey), DryRun: rl.DryRun}, nil
}

func limitOf(s config.RateSpec) ratelimit.Limit {
	return ratelimit.Limit{Rate: s.Rate, Period: s.Period, Burst: s.Burst}
}

// redisPing returns a function that connects to the Redis at raw, asks for
// PING and disconnects: for quire trust, which has no limiter of its own.
func redisPing(raw string) func(context.Context) error {
	return func(ctx context.Context) error {
		opt, err := redis.ParseURL(raw)
		if err != nil {
			return fmt.Errorf("ratelimit.redis_url: %w", err)
		}
		client := redis.NewClient(opt)
		defer client.Close()
		return client.Ping(ctx).Err()
	}
}
