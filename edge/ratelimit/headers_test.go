package ratelimit

import (
	"net/http"
	"testing"
	"time"
)

func TestHeaders(t *testing.T) {
	lim := Limit{Rate: 100, Period: time.Minute}
	cases := []struct {
		name, policy string
		d            Decision
		policyHdr    string
		rateHdr      string
		retryAfter   string
	}{
		{"allowed", "default", Decision{Allowed: true, Remaining: 42, ResetAfter: 9100 * time.Millisecond, Limit: lim},
			`"default";q=100;w=60`, `"default";r=42;t=10`, ""},
		{"refused rounds up", "api", Decision{RetryAfter: 1200 * time.Millisecond, ResetAfter: time.Minute, Limit: lim},
			`"api";q=100;w=60`, `"api";r=0;t=2`, "2"},
		{"refused exact seconds", "api", Decision{RetryAfter: 3 * time.Second, Limit: lim},
			`"api";q=100;w=60`, `"api";r=0;t=3`, "3"},
		{"refused never zero", "api", Decision{RetryAfter: time.Microsecond, Limit: lim},
			`"api";q=100;w=60`, `"api";r=0;t=1`, "1"},
		{"sub-second period", "burst", Decision{Allowed: true, Limit: Limit{Rate: 5, Period: 100 * time.Millisecond}},
			`"burst";q=5;w=1`, `"burst";r=0;t=0`, ""},
		{"escaped name", "a\"b\\c\né", Decision{Allowed: true, Remaining: 1, ResetAfter: time.Second, Limit: lim},
			`"a\"b\\c___";q=100;w=60`, `"a\"b\\c___";r=1;t=1`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{"Retry-After": {"stale"}}
			if c.d.Allowed {
				h = http.Header{}
			}
			Headers(h, c.d, c.policy)
			if got := h.Get("RateLimit-Policy"); got != c.policyHdr {
				t.Errorf("RateLimit-Policy = %s, want %s", got, c.policyHdr)
			}
			if got := h.Get("RateLimit"); got != c.rateHdr {
				t.Errorf("RateLimit = %s, want %s", got, c.rateHdr)
			}
			if got := h.Get("Retry-After"); got != c.retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, c.retryAfter)
			}
		})
	}
}

func TestKeyIsUnambiguous(t *testing.T) {
	pairs := [][2]string{
		{Key("a:b", "c"), Key("a", "b:c")},
		{Key("ab", ""), Key("a", "b")},
		{Key(""), Key()},
		{Key("1:a"), Key("a")},
	}
	for _, p := range pairs {
		if p[0] == p[1] {
			t.Errorf("two part lists gave the same key %q", p[0])
		}
	}
	if got := Key("ip", "/login", "192.0.2.1"); got != "2:ip6:/login9:192.0.2.1" {
		t.Errorf("Key = %q", got)
	}
}
