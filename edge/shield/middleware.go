package shield

import (
	"net/http"
	"strconv"
	"time"
)

// Middleware inspects every request before next. client returns the
// penalty-box key of a request (nil: no penalty box); deny writes the
// refusal of a blocked request (nil: DenyJSON); observe, if not nil, sees
// every verdict (for logs and metrics: a Verdict holds no request content).
func (s *Shield) Middleware(client func(*http.Request) string, deny func(http.ResponseWriter, *http.Request, Verdict), observe func(Verdict)) func(http.Handler) http.Handler {
	if deny == nil {
		deny = DenyJSON
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := ""
			if client != nil {
				key = client(r)
			}
			v := s.Inspect(r, key)
			if observe != nil {
				observe(v)
			}
			if v.Blocked {
				deny(w, r, v)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// DenyJSON writes the refusal in Quire's error shape:
// {"error":{"code":"shield_blocked","message":…}} with the verdict's
// status, and Retry-After for a client in the penalty box. It says nothing
// about which rules matched.
func DenyJSON(w http.ResponseWriter, _ *http.Request, v Verdict) {
	status := v.Status
	if status == 0 {
		status = http.StatusForbidden
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if v.Penalised {
		secs := int64((v.RetryAfter + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"error":{"code":"` + CodeBlocked + `","message":"The request was refused by the security shield."}}` + "\n"))
}
