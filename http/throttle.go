package http

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/quirehq/quire"
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

// maxBuckets bounds the throttle's memory: beyond it, full buckets are
// swept early.
const maxBuckets = 100_000

func newAuthThrottle(burst int, window time.Duration) *authThrottle {
	return &authThrottle{burst: float64(burst), window: window, now: time.Now, buckets: map[string]*bucket{}}
}

// take spends one token of key's bucket; when none is left it returns how
// long until one is.
func (t *authThrottle) take(key string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.sweep(now)
	rate := t.burst / t.window.Seconds()
	b, ok := t.buckets[key]
	if !ok {
		b = &bucket{tokens: t.burst, at: now}
		t.buckets[key] = b
	}
	b.tokens = min(t.burst, b.tokens+now.Sub(b.at).Seconds()*rate)
	b.at = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / rate * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// sweep drops buckets that have refilled completely, once a window or
// when the map is full.
func (t *authThrottle) sweep(now time.Time) {
	if now.Sub(t.swept) < t.window && len(t.buckets) < maxBuckets {
		return
	}
	t.swept = now
	for k, b := range t.buckets {
		if now.Sub(b.at) >= t.window {
			delete(t.buckets, k)
		}
	}
}

// throttledPaths are the routes an address may only call at the throttle's
// rate: everything that checks a password, a second factor or sends mail.
var throttledPaths = []string{"/api/v1/auth/signup", "/api/v1/auth/login", "/api/v1/auth/mfa", "/api/v1/auth/passkey/",
	"/api/v1/auth/password", "/api/v1/auth/password-reset", "/api/v1/auth/verify-email",
	"/login", "/signup", "/forgot-password", "/reset-password", "/verify-email"}

// throttleAuth applies the per-address throttle to unsafe requests on the
// authentication routes.
func (s *Server) throttleAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && isThrottled(r.URL.Path) {
			if ok, wait := s.throttle.take(clientAddr(r)); !ok {
				e := quire.Errorf(quire.ERATELIMITED, "Too many attempts from your network. Wait a moment and try again.")
				e.RetryAfter = wait
				Error(w, r, s.logger, e)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func isThrottled(path string) bool {
	for _, p := range throttledPaths {
		if path == p || strings.HasSuffix(p, "/") && strings.HasPrefix(path, p) || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// clientAddr is the address the connection comes from. IPv6 clients are
// grouped by /64, since one host usually holds a whole /64.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}
