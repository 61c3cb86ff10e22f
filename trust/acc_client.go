package trust

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/quirehq/quire"
)

// sessionCookie is the name of Quire's browser session cookie.
const sessionCookie = "__Host-quire_session"

// apiClient speaks Quire's JSON API as a browser would: it keeps the
// session cookie it is given and sends same-origin requests.
type apiClient struct {
	base   *url.URL
	c      *http.Client
	cookie *http.Cookie
	// took is how long the last request took, throttle waits excluded.
	took time.Duration
}

// apiResponse is what a probe saw: status, error code, headers and body.
type apiResponse struct {
	status int
	code   string
	header http.Header
	body   map[string]any
}

// newAPIClient returns a client for the server at env.URL.
func newAPIClient(env *Env) (*apiClient, error) {
	u, err := url.Parse(env.URL)
	if env.URL == "" {
		return nil, fmt.Errorf("no server URL given; run with --url")
	} else if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("the server URL must be an absolute https:// URL")
	}
	return &apiClient{base: u, c: probeClient(env.RootCAs, env.ServerName)}, nil
}

// A connection reset (the server's per-address connection cap, briefly
// full while another trust run probes it) is retried this often, this far
// apart.
const (
	maxResets    = 5
	resetBackoff = 500 * time.Millisecond
)

// maxThrottleWait is the longest a probe waits when the server's
// per-address throttle asks it to slow down.
const maxThrottleWait = 65 * time.Second

// do sends a request with a JSON body (nil for none) and extra headers,
// and keeps a session cookie the server sets. When the server's throttle
// answers 429, it waits as Retry-After says (bounded) and tries again.
func (a *apiClient) do(ctx context.Context, method, path string, body any, hdr map[string]string) (*apiResponse, error) {
	for resets := 0; ; {
		start := time.Now()
		r, err := a.once(ctx, method, path, body, hdr)
		a.took = time.Since(start)
		if err != nil && errors.Is(err, syscall.ECONNRESET) && resets < maxResets {
			// Another run's DOS-1 probe may hold this address's
			// connection allowance for a moment: try again shortly.
			resets++
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(resetBackoff):
			}
			continue
		}
		if err != nil || r.status != http.StatusTooManyRequests {
			return r, err
		}
		wait, perr := strconv.Atoi(r.header.Get("Retry-After"))
		if perr != nil || wait < 0 || time.Duration(wait)*time.Second > maxThrottleWait {
			return r, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(wait)*time.Second + 100*time.Millisecond):
		}
	}
}

// once sends one request.
func (a *apiClient) once(ctx context.Context, method, path string, body any, hdr map[string]string) (*apiResponse, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	p, query, _ := strings.Cut(path, "?") // a query, raw, as the caller wrote it
	u := a.base.JoinPath(p)
	u.RawQuery = query
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Origin", a.base.Scheme+"://"+a.base.Host)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if a.cookie != nil {
		req.AddCookie(a.cookie)
	}
	resp, err := a.c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := &apiResponse{status: resp.StatusCode, header: resp.Header}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = json.Unmarshal(raw, &out.body)
	if e, ok := out.body["error"].(map[string]any); ok {
		out.code, _ = e["code"].(string)
	}
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			if c.MaxAge < 0 || c.Value == "" {
				a.cookie = nil
			} else {
				a.cookie = &http.Cookie{Name: c.Name, Value: c.Value}
			}
		}
	}
	return out, nil
}

// throwaway is an account a check creates for itself.
type throwaway struct {
	email, password string
}

// newThrowaway returns a fresh address under a reserved domain (.invalid,
// RFC 2606: mail to it goes nowhere) and a random strong password longer
// than any configurable minimum length.
func newThrowaway() throwaway {
	var b [51]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return throwaway{email: "trust-" + newMarker() + "@trust-check.invalid",
		password: "Tq-" + base64.RawURLEncoding.EncodeToString(b[:])}
}

// signUp creates the throwaway account; the client keeps its session.
// Callers check inStore afterwards.
func (a *apiClient) signUp(ctx context.Context, t throwaway) (*apiResponse, error) {
	r, err := a.do(ctx, http.MethodPost, "api/v1/auth/signup", map[string]string{"email": t.email, "password": t.password}, nil)
	if err != nil {
		return nil, err
	}
	if r.status != http.StatusCreated {
		return r, fmt.Errorf("sign-up of a throwaway account answered %d %s", r.status, r.code)
	}
	return r, nil
}

// login signs the throwaway account in.
func (a *apiClient) login(ctx context.Context, t throwaway, pw string) (*apiResponse, error) {
	return a.do(ctx, http.MethodPost, "api/v1/auth/login", map[string]string{"email": t.email, "password": pw}, nil)
}

// confirm marks the throwaway account's address verified, which adding a
// second factor or an API key requires.
func confirm(ctx context.Context, env *Env, e *evidence, t throwaway) bool {
	if env.Accounts == nil {
		e.failf("no store access to confirm the throwaway account's address; run quire trust with the server's --config/--data")
		return false
	}
	if err := env.Accounts.ConfirmAddress(ctx, t.email); err != nil {
		e.failf("confirming the throwaway account's address: %v", err)
		return false
	}
	return true
}

// inStore checks that the account the check signed up on the live server
// is in the store this run inspects: otherwise the store-side evidence
// (and the clean-up) would be about another deployment.
func inStore(ctx context.Context, env *Env, e *evidence, t throwaway) bool {
	if env.Users == nil {
		e.failf("no store access: run quire trust with the server's --config and --data")
		return false
	}
	if _, err := env.Users.FindUserByEmail(ctx, t.email); err != nil {
		e.failf("the throwaway account signed up at %s is not in this store (%v): the server uses another database than the one checked", env.URL, quire.ErrorCode(err))
		return false
	}
	return true
}

// cleanUp deletes the throwaway account through env.Accounts, or says in
// the evidence that it is left behind.
func cleanUp(ctx context.Context, env *Env, e *evidence, t throwaway) {
	if env.Accounts == nil {
		e.notef("the throwaway account %s is left on the server (no store access to delete it)", redactEmail(t.email))
		return
	}
	ctx = context.WithoutCancel(ctx)
	if env.Users != nil {
		if _, err := env.Users.FindUserByEmail(ctx, t.email); quire.ErrorCode(err) == quire.ENOTFOUND {
			return // never created (the check failed first), or not in this store: inStore said so
		}
	}
	if err := env.Accounts.DeleteAccountByEmail(ctx, t.email); err != nil {
		e.failf("deleting the throwaway account: %v", err)
		return
	}
	e.notef("the throwaway account was deleted again (its data keys shredded)")
}

// redactEmail keeps the shape of a throwaway address for the evidence.
func redactEmail(s string) string {
	if i := strings.IndexByte(s, '@'); i > 12 {
		return s[:12] + "…" + s[i:]
	}
	return s
}

// throwawaySession signs a new throwaway account up on the live server,
// checks that it landed in the store this run inspects and, if confirmed,
// confirms its address. It returns the signed-in client, the account, the
// sign-up answer, and done, which deletes the account and must be
// deferred even when ok is false (the evidence then says why).
func throwawaySession(ctx context.Context, env *Env, e *evidence, confirmed bool) (*apiClient, throwaway, *apiResponse, func(), bool) {
	t := newThrowaway()
	done := func() { cleanUp(ctx, env, e, t) }
	a, err := newAPIClient(env)
	if err != nil {
		e.failf("%v", err)
		return nil, t, nil, done, false
	}
	r, err := a.signUp(ctx, t)
	if err != nil {
		e.failf("%v", err)
		return nil, t, nil, done, false
	}
	ok := inStore(ctx, env, e, t) && (!confirmed || confirm(ctx, env, e, t))
	return a, t, r, done, ok
}
