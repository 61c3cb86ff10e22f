package http

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestThrottleKey(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		want         string
	}{
		{"POST", "/api/v1/auth/login", "192.0.2.1"},
		{"POST", "/api/v1/me/mfa/totp", "192.0.2.1"},
		{"POST", "/api/v1/me/passkeys/abc/remove", "192.0.2.1"},
		{"POST", "/api/v1/api-keys", "192.0.2.1"},
		{"POST", "/api/v1/admin/unlock", "192.0.2.1"},
		{"POST", "/account/totp", "192.0.2.1"},
		{"POST", "/login/mfa", "192.0.2.1"},
		{"POST", "/api/v1/auth/password-strength", "strength 192.0.2.1"},
		{"GET", "/api/v1/me", ""},
		{"GET", "/login", ""},
		{"POST", "/api/v1/notes", ""},
		{"POST", "/accounting", ""},
	} {
		r := httptest.NewRequest(tc.method, "https://quire.test"+tc.path, nil)
		r.RemoteAddr = "192.0.2.1:5555"
		if got := throttleKey(r); got != tc.want {
			t.Errorf("%s %s: key %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "https://quire.test/login", nil)
	r.RemoteAddr = "[2001:db8:1:2:3:4:5:6]:443"
	if got := throttleKey(r); got != "2001:db8:1:2::/64" {
		t.Errorf("IPv6 key %q, want the /64", got)
	}
}

func TestThrottleSharesAnOverflowBucketWhenFull(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := newAuthThrottle(5, time.Minute)
	th.now = func() time.Time { return now }
	for i := range maxBuckets {
		if ok, _ := th.take(fmt.Sprint(i)); !ok {
			t.Fatalf("address %d refused before the map was full", i)
		}
	}
	// New addresses now share one overflow bucket: some get through, a
	// flood does not.
	allowed := 0
	for i := range 200 {
		if ok, _ := th.take(fmt.Sprint("new ", i)); ok {
			allowed++
		}
	}
	if allowed != 5*overflowFactor {
		t.Fatalf("%d of 200 new addresses got through a full throttle, want the overflow burst of %d", allowed, 5*overflowFactor)
	}
	if len(th.buckets) != maxBuckets+1 {
		t.Fatalf("%d buckets, want the cap plus the overflow bucket", len(th.buckets))
	}
	if ok, _ := th.take("7"); !ok {
		t.Fatal("a known address was refused because the map is full")
	}
	now = now.Add(time.Minute + time.Second) // every bucket refilled: a sweep makes room
	if ok, _ := th.take("one more"); !ok {
		t.Fatal("the sweep did not make room")
	}
	if _, ok := th.buckets["one more"]; !ok || len(th.buckets) != 1 {
		t.Fatalf("%d buckets after the sweep, want only the new address's", len(th.buckets))
	}
}
