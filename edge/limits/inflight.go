package limits

import (
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/quirehq/quire"
)

// busyBody is the JSON error a shed request gets. It has the shape of every
// error response of the http package ({"error":{"code","message"}}) and is
// a constant, so shedding allocates nothing and never fails to encode.
const busyBody = `{"error":{"code":"` + quire.EUNAVAILABLE + `","message":"The server is busy. Try again shortly."}}` + "\n"

// InFlight caps the requests being served at once across the server
// (claim DOS-1). A request over the cap is answered at once with 503 and
// Retry-After instead of waiting, so that overload costs clients a retry
// rather than costing the process its memory. Exempt requests (health
// checks) always pass and are not counted, so a load balancer does not take
// a busy but healthy instance out of service.
type InFlight struct {
	max        int64
	retryAfter string
	exempt     func(*http.Request) bool

	current atomic.Int64
	shed    atomic.Uint64
}

// InFlightStats is a snapshot of an InFlight's counters, for metrics.
type InFlightStats struct {
	// InFlight is the number of counted requests being served now.
	InFlight int
	// Shed is the number of requests answered with 503 since the InFlight
	// was made.
	Shed uint64
}

// NewInFlight returns a limit of limit requests in flight whose shed
// responses ask clients to retry after retryAfter (rounded up to whole
// seconds, at least 1). exempt may be nil; HealthCheck is the usual choice.
// Use its Middleware method as the func(http.Handler) http.Handler of a
// middleware stack. It panics if limit is less than 1, which is a
// configuration error.
func NewInFlight(limit int, retryAfter time.Duration, exempt func(*http.Request) bool) *InFlight {
	if limit < 1 {
		panic("limits: NewInFlight limit must be at least 1")
	}
	return &InFlight{max: int64(limit), retryAfter: retrySeconds(retryAfter), exempt: exempt}
}

// retrySeconds renders d as a Retry-After value: whole seconds, rounded
// up, and never less than 1 so that clients do not retry in a tight loop.
func retrySeconds(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(s, 1), 10)
}

// Middleware returns next behind the limit.
func (l *InFlight) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l.exempt != nil && l.exempt(r) {
			next.ServeHTTP(w, r)
			return
		}
		if !l.acquire() {
			l.shed.Add(1)
			l.writeBusy(w)
			return
		}
		// Deferred so that a panicking handler (recovered further out)
		// still gives its slot back.
		defer l.current.Add(-1)
		next.ServeHTTP(w, r)
	})
}

// acquire takes a slot if one is free. It never over-admits, and unlike an
// add-then-check it never sheds a request because of another request that
// was itself being shed.
func (l *InFlight) acquire() bool {
	for {
		n := l.current.Load()
		if n >= l.max {
			return false
		}
		if l.current.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// writeBusy writes the shed response.
func (l *InFlight) writeBusy(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Retry-After", l.retryAfter)
	h.Set("Content-Length", strconv.Itoa(len(busyBody)))
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = io.WriteString(w, busyBody) // the client may be gone; nothing to do
}

// Stats returns a snapshot of the limit's counters.
func (l *InFlight) Stats() InFlightStats {
	return InFlightStats{InFlight: int(l.current.Load()), Shed: l.shed.Load()}
}

// HealthCheck reports whether r is a liveness or readiness probe (GET or
// HEAD of /healthz or /readyz), which an in-flight limit should let pass.
func HealthCheck(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	return r.URL.Path == "/healthz" || r.URL.Path == "/readyz"
}
