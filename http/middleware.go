package http

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/edge/clientip"
)

// middleware wraps a handler with one layer of the request path.
type middleware func(http.Handler) http.Handler

// buildStack builds the HTTPS request path. The stack is listed outermost
// first; this list is the one place the order is visible. Security headers
// come first so that every response below them, errors and recovered panics
// included, carries them.
func (s *Server) buildStack() http.Handler {
	stack := []middleware{s.securityHeaders}
	if s.cfg.Metrics != nil {
		stack = append(stack, s.observe) // route, status and time of every request
	}
	stack = append(stack,
		s.inFlight.Middleware, // sheds load with 503 + Retry-After (DOS-1)
		s.limitBody,
		s.recoverPanics,
		s.resolveClient,       // the client's address, behind trusted proxies only
		s.limitClientInFlight, // one client's share of the in-flight slots (DOS-1)
	)
	if s.cfg.Bots != nil && s.cfg.Bots.Enabled() {
		stack = append(stack, s.botPolicy) // automated clients, per route class (BOT-1)
	}
	if s.cfg.RateLimit != nil {
		stack = append(stack, s.limitClients) // per client address, before any lookup (RL-1)
	}
	if s.cfg.Shield != nil {
		stack = append(stack, s.shieldRequests) // the Core Rule Set and the penalty box (WAF-1)
	}
	if s.cfg.Auth != nil {
		stack = append(stack,
			s.throttleAuth, // per-address limit on sign-in and friends
			s.identify,     // session cookie or Bearer API key
			s.crossOrigin,  // CSRF, for everything a cookie could authenticate
		)
		if s.cfg.RateLimit != nil {
			stack = append(stack, s.limitActors) // per user and API key, per route group (RL-1)
		}
	}
	var h http.Handler = http.HandlerFunc(s.route)
	for i := len(stack) - 1; i >= 0; i-- {
		h = stack[i](h)
	}
	return h
}

// securityHeaders sets the headers every HTTPS response carries (claims
// TLS-1, HDR-1). It sets them before calling next, so they are already in
// place when anything below writes the response.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Strict-Transport-Security", s.hsts)
		setSecurityHeaders(h)
		next.ServeHTTP(w, r)
	})
}

// limitBody caps every request body at the server's default. It wraps the
// body in a limitedBody so that BodyLimit can replace the cap for a route
// before anything is read. It must see the ResponseWriter from net/http so
// that exceeding the cap also closes the connection.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = newLimitedBody(w, r, r.Body, s.cfg.MaxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// limitedBody is a request body under the default cap that remembers the
// uncapped body so that a route can choose another cap. A body whose
// declared length is over the cap is refused at the first read, without
// waiting for bytes the client may never send; an error reading the body
// (a malformed chunk, the read timeout) becomes a client error.
type limitedBody struct {
	io.ReadCloser
	orig     io.ReadCloser
	w        http.ResponseWriter
	limit    int64
	declared int64 // Content-Length, or -1
}

// newLimitedBody caps body (of r) at limit.
func newLimitedBody(w http.ResponseWriter, r *http.Request, body io.ReadCloser, limit int64) *limitedBody {
	return &limitedBody{ReadCloser: http.MaxBytesReader(w, body, limit), orig: body, w: w, limit: limit, declared: r.ContentLength}
}

// Read reads from the capped body.
func (b *limitedBody) Read(p []byte) (int, error) {
	if b.declared > b.limit {
		b.w.Header().Set("Connection", "close") // the rest of the body is never read
		return 0, &http.MaxBytesError{Limit: b.limit}
	}
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = bodyReadError(err)
	}
	return n, err
}

// bodyReadError classifies an error reading a request body: the cap stays
// as it is; a timeout is 408; anything else (a malformed chunk, a
// connection cut mid-body) is 400. The cause's text is never shown.
func bodyReadError(err error) error {
	var tooLarge *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &tooLarge):
		return err
	case errors.As(err, &ne) && ne.Timeout():
		return quire.WrapError(ETIMEOUT, "The request body arrived too slowly.", err)
	}
	return quire.WrapError(quire.EINVALID, "The request body could not be read.", err)
}

// BodyLimit returns h with the request body capped at n bytes instead of
// the server's default (1 MiB), for routes that take larger uploads. It
// must wrap the route's handler directly, before the body is read. A body
// that did not pass through the server's stack is capped at n too.
func BodyLimit(n int64, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch body := r.Body.(type) {
		case *limitedBody:
			r.Body = newLimitedBody(body.w, r, body.orig, n)
		case nil:
		default:
			if body != http.NoBody {
				r.Body = http.MaxBytesReader(w, body, n)
			}
		}
		h.ServeHTTP(w, r)
	})
}

// recoverPanics turns a panicking handler into a 500 with an error ID; the
// panic value and stack go to the log only. A panic after the response
// started aborts the connection so that the client cannot mistake the
// truncated response for a complete one.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &responseWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			} else if v == http.ErrAbortHandler {
				panic(v)
			}
			started := rw.started
			if r.Pattern == "" {
				// Layers below may have handed the mux a copy of r (with a
				// new context): look the route up again for the log.
				_, r.Pattern = s.mux.Handler(r)
			}
			Error(rw, r, s.logger, &panicError{value: v, stack: debug.Stack()})
			if started {
				panic(http.ErrAbortHandler)
			}
		}()
		next.ServeHTTP(rw, r)
	})
}

// panicError is a recovered panic. Error logs its stack beside the error ID.
type panicError struct {
	value any
	stack []byte
}

// Error describes the panic value; it is logged, never sent.
func (e *panicError) Error() string { return fmt.Sprintf("http: handler panic: %v", e.value) }

// resolveClient puts the client's address in the request context: the peer,
// or what a trusted proxy says (clientip).
func (s *Server) resolveClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := s.clientIP.Resolve(r)
		if addr.IsLoopback() && r.Header.Get("X-Forwarded-For") != "" && !s.clientIP.Trusted(addr) {
			s.warnUntrustedProxy.Do(func() {
				s.logger.Warn("a local proxy forwards requests, but server.trusted_proxies does not list it: " +
					"every client shares its address's limits; add 127.0.0.1 (or the proxy's address) to server.trusted_proxies")
			})
		}
		next.ServeHTTP(w, r.WithContext(clientip.WithAddr(r.Context(), addr)))
	})
}
