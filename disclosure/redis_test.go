package disclosure_test

import (
	"context"
	"os"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/disclosure"
	"github.com/quirehq/quire/edge/ratelimit"
	"github.com/redis/go-redis/v9"
)

// TestGlobalCapSharedThroughRedis runs two instances over one Redis: the
// intake's hourly budget is one for both (QUIRE_TEST_REDIS_URL).
func TestGlobalCapSharedThroughRedis(t *testing.T) {
	raw := os.Getenv("QUIRE_TEST_REDIS_URL")
	if raw == "" {
		t.Skip("QUIRE_TEST_REDIS_URL is not set")
	}
	opt, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	secret := []byte(quire.NewID()) // keys of this run only
	instances := make([]*env, 2)
	for i := range instances {
		lim := ratelimit.NewRedis(client, ratelimit.RedisOptions{Secret: secret})
		instances[i] = newEnvWith(t, disclosure.Config{ReportsGlobalPerHour: 3, Limiter: lim})
	}
	ctx := context.Background()
	submit := func(e *env) error {
		_, err := e.svc.Submit(ctx, disclosure.Submission{Email: "a@example.com", Title: "t", Details: "d"})
		return err
	}
	for i, e := range []*env{instances[0], instances[1], instances[0]} {
		if err := submit(e); err != nil {
			t.Fatalf("report %d: %v", i, err)
		}
	}
	for i, e := range instances {
		if err := submit(e); quire.ErrorCode(err) != quire.ERATELIMITED {
			t.Fatalf("instance %d past the shared budget: %v, want rate_limited", i, err)
		}
	}
}
