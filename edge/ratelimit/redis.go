package ratelimit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	quire "github.com/quirehq/quire"
)

// Defaults for RedisOptions.
const (
	DefaultRedisPrefix     = "quire:rl:"
	DefaultRedisTimeout    = 50 * time.Millisecond
	DefaultBlockedCapacity = 10_000
	DefaultMaxInFlight     = 256
)

// failClosedRetry is the Retry-After of a refusal caused by an unreachable
// Redis under the fail-closed policy.
const failClosedRetry = time.Second

// RedisOptions configure NewRedis. The zero value is usable.
type RedisOptions struct {
	// Prefix starts every key name (default DefaultRedisPrefix).
	Prefix string
	// Secret keys the HMAC that turns a limiter key into a Redis key name,
	// so Redis never holds addresses or identifiers in clear. Instances
	// that share budgets must share it. Empty still hashes, but anyone can
	// then recompute a name from an address.
	Secret []byte
	// Timeout bounds each call (default DefaultRedisTimeout). It holds
	// even for a client without ContextTimeoutEnabled.
	Timeout time.Duration
	// FailOpen allows requests when Redis fails or is late; otherwise they
	// are refused. Either way Allow returns the error for the log.
	FailOpen bool
	// BlockedCapacity caps the cache of refused keys (default
	// DefaultBlockedCapacity; negative disables the cache).
	BlockedCapacity int
	// MaxInFlight caps concurrent calls to Redis (default
	// DefaultMaxInFlight); beyond it a call fails at once under the policy.
	MaxInFlight int
	// Clock, when set, supplies "now" to Redis and to the blocked cache
	// (tests). Unset, Redis uses its own clock, shared by every instance.
	Clock func() time.Time
}

// Redis is a GCRA limiter whose state lives in Redis, so every instance
// sharing the Redis and the Secret shares one budget per key. It is safe
// for concurrent use.
//
// Each decision is one atomic Lua script (EVALSHA, falling back to EVAL
// when Redis lost the script). Refused keys are remembered in process until
// their RetryAfter, so a blocked client costs no round trip. A refused
// key's budget only grows back with time, so Redis would refuse it until
// the same moment (give or take clock skew); but deleting a key in Redis by
// hand does not reach these caches.
//
// The script works in whole microseconds: an emission interval
// (Period/Rate) that is not a whole number of microseconds is truncated,
// which makes Redis allow up to 1 µs per interval earlier than Memory.
type Redis struct {
	client   redis.Scripter
	opts     RedisOptions
	blocked  *blockedCache
	slots    chan struct{}
	now      func() time.Time
	fakeTime bool
}

var _ Limiter = (*Redis)(nil)

// errBusy is the cause when MaxInFlight calls are already pending.
var errBusy = errors.New("ratelimit: too many pending redis calls")

// NewRedis returns a limiter over client (a *redis.Client, *redis.Ring or
// *redis.ClusterClient owned by the caller, who closes it).
func NewRedis(client redis.Scripter, o RedisOptions) *Redis {
	if o.Prefix == "" {
		o.Prefix = DefaultRedisPrefix
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultRedisTimeout
	}
	if o.BlockedCapacity == 0 {
		o.BlockedCapacity = DefaultBlockedCapacity
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	r := &Redis{client: client, opts: o, slots: make(chan struct{}, o.MaxInFlight), now: o.Clock, fakeTime: o.Clock != nil}
	if r.now == nil {
		r.now = time.Now
	}
	if o.BlockedCapacity > 0 {
		r.blocked = newBlockedCache(o.BlockedCapacity)
	}
	return r
}

// Allow records one request under key in Redis and reports whether it is
// within l. On a Redis error or timeout it returns the policy's decision
// (FailOpen) and an *quire.Error with code EUNAVAILABLE wrapping the cause.
func (r *Redis) Allow(ctx context.Context, key string, l Limit) (Decision, error) {
	p, err := l.params()
	l = l.withBurst()
	if err != nil {
		return invalid(l, err)
	}
	bk := blockedKey{key: r.keyName(key), p: p}
	now := r.now()
	if d, ok := r.blocked.lookup(bk, now, l); ok {
		return d, nil
	}
	d, err := r.call(ctx, bk.key, p, now, l)
	if err != nil {
		return r.failed(l, err)
	}
	r.blocked.add(bk, now, d)
	return d, nil
}

// keyName maps a limiter key of any length to a fixed-size Redis key name.
func (r *Redis) keyName(key string) string {
	mac := hmac.New(sha256.New, r.opts.Secret)
	mac.Write([]byte(key))
	sum := mac.Sum(nil)
	return r.opts.Prefix + base64.RawURLEncoding.EncodeToString(sum[:16])
}

// failed is the decision of the failure policy.
func (r *Redis) failed(l Limit, cause error) (Decision, error) {
	err := quire.WrapError(quire.EUNAVAILABLE, "Rate limiter unavailable.", cause)
	if r.opts.FailOpen {
		return Decision{Allowed: true, Limit: l}, err
	}
	return Decision{RetryAfter: failClosedRetry, Limit: l}, err
}
