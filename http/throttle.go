package http

import (
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/edge/clientip"
)

// authThrottle limits how many sign-in, sign-up and reset requests one
// client address may send, so that one address cannot try a password
// against many accounts (which per-account lockout alone would not stop).
// It is a token bucket per address: Burst requests at once, refilled at
// Burst per Window.
type authThrottle struct {
	burst  float64
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxBuckets bounds the throttle's memory. When that many addresses are
// being tracked, new addresses share one overflow bucket (overflowKey,
// overflowFactor times the burst) until a sweep makes room: under a flood
// from that many addresses the hashing budget every sign-in shares stays
// bounded, and some new clients still get through.
const (
	maxBuckets     = 100_000
	overflowKey    = "overflow"
	overflowFactor = 10
)

// fullSweepEvery is how often a full throttle may sweep early.
const fullSweepEvery = time.Second

func newAuthThrottle(burst int, window time.Duration) *authThrottle {
	return &authThrottle{burst: float64(burst), window: window, now: time.Now, buckets: map[string]*bucket{}}
}

// take spends one token of key's bucket; when none is left it returns how
// long until one is.
func (t *authThrottle) take(key string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	rate := t.burst / t.window.Seconds()
	burst := t.burst
	b, ok := t.buckets[key]
	if !ok && !t.makeRoom(now) {
		key, burst = overflowKey, t.burst*overflowFactor
		rate *= overflowFactor
		b, ok = t.buckets[key]
	}
	if !ok {
		b = &bucket{tokens: burst, at: now}
		t.buckets[key] = b
	}
	b.tokens = min(burst, b.tokens+now.Sub(b.at).Seconds()*rate)
	b.at = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / rate * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// makeRoom sweeps once a window, or (at most once a second) when the map
// is full, and reports whether a new bucket fits.
func (t *authThrottle) makeRoom(now time.Time) bool {
	full := len(t.buckets) >= maxBuckets
	if now.Sub(t.swept) >= t.window || full && now.Sub(t.swept) >= fullSweepEvery {
		t.swept = now
		for k, b := range t.buckets {
			if now.Sub(b.at) >= t.window {
				delete(t.buckets, k)
			}
		}
	}
	return len(t.buckets) < maxBuckets
}

// throttledPrefixes are the routes an address may only call (with a
// state-changing method) at the throttle's rate: everything that checks a
// password or a second factor, sends mail, or adds a way into an account.
var throttledPrefixes = []string{"/api/v1/auth/", "/api/v1/me", "/api/v1/api-keys", "/api/v1/admin/",
	"/login", "/logout", "/signup", "/forgot-password", "/reset-password", "/verify-email", "/account"}

// strengthPath rates passwords as people type: it has a bucket of its own
// per address (zxcvbn costs CPU), so typing never uses up sign-in attempts.
const strengthPath = "/api/v1/auth/password-strength"

// throttleAuth applies the per-address throttle to unsafe requests on the
// account routes.
func (s *Server) throttleAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if key := throttleKey(r); key != "" {
			if ok, wait := s.throttle.take(key); !ok {
				s.decide(r, layerThrottle, "auth", false)
				e := quire.Errorf(quire.ERATELIMITED, "Too many attempts from your network. Wait a moment and try again.")
				e.RetryAfter = wait
				Error(w, r, s.logger, e)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// throttleKey is the bucket r spends from, or "" if it is not throttled.
func throttleKey(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return ""
	}
	if r.URL.Path == strengthPath {
		return "strength " + clientAddr(r)
	}
	for _, p := range throttledPrefixes {
		if r.URL.Path == p || strings.HasPrefix(r.URL.Path, strings.TrimSuffix(p, "/")+"/") {
			return clientAddr(r)
		}
	}
	return ""
}

// clientAddr is the client's limiter key: its address as resolved behind
// trusted proxies (IPv6 grouped by /64), or the peer's when the request
// did not pass through resolveClient.
func clientAddr(r *http.Request) string {
	addr, ok := clientip.Addr(r.Context())
	if !ok {
		if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
			addr = ap.Addr().Unmap()
		}
	}
	return clientip.Key(addr)
}
