package trust

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestPingRedis(t *testing.T) {
	for _, tc := range []struct {
		name string
		rl   RateLimitInfo
		fail bool
		want string
	}{
		{"no Redis", RateLimitInfo{}, false, ""},
		{"answers", RateLimitInfo{Redis: true, PingRedis: func(context.Context) error { return nil }}, false, "answered PING"},
		{"down", RateLimitInfo{Redis: true, PingRedis: func(context.Context) error { return errors.New("connection refused") }}, true, "does not answer"},
		{"not reachable from here", RateLimitInfo{Redis: true}, false, "not reachable from this check"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e evidence
			pingRedis(context.Background(), &e, tc.rl)
			if e.failed != tc.fail || !strings.Contains(strings.Join(e.lines, "\n"), tc.want) {
				t.Fatalf("failed %v, evidence %q; want failed %v mentioning %q", e.failed, e.lines, tc.fail, tc.want)
			}
		})
	}
}
