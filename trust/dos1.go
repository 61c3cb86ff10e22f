package trust

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// LimitsInfo is the L7 configuration the DOS-1 check compares the live
// server against.
type LimitsInfo struct {
	MaxHeaderBytes    int
	MaxBodyBytes      int64
	ReadHeaderTimeout time.Duration
	MaxConnsPerIP     int
	MaxInFlight       int
	// ProberExempt reports that the checker's own address is a trusted
	// proxy, which the connection cap does not apply to.
	ProberExempt bool
}

// Bounds on what the DOS-1 check will do to a server: it refuses to wait
// longer or open more connections than this, and says so.
const (
	maxSlowWait   = 30 * time.Second
	maxCapProbe   = 1000
	closedWithin  = 3 * time.Second
	stillOpenWait = 500 * time.Millisecond
	// shortWait is how long a connection refused at accept may take to
	// show it (its reset is already on its way when the dials are done).
	shortWait = 50 * time.Millisecond
)

// checkDOS1 sends an oversized header and an oversized body, holds a
// request header open past the header timeout, and opens one connection
// more than the per-address cap, expecting the server to refuse each.
func checkDOS1(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	u, err := url.Parse(env.URL)
	if env.URL == "" || err != nil || u.Scheme != "https" || u.Host == "" {
		e.failf("no https:// server URL given; run with --url")
		return e.result()
	}
	l := env.Limits
	if l.MaxHeaderBytes == 0 || l.MaxBodyBytes == 0 || l.ReadHeaderTimeout == 0 || l.MaxConnsPerIP == 0 {
		e.failf("the server's limits are not known: run quire trust with the server's --config")
		return e.result()
	}
	c := probeClient(env.RootCAs, env.ServerName)
	oversizedHeader(ctx, &e, c, u, l.MaxHeaderBytes)
	oversizedBody(ctx, &e, c, u, l.MaxBodyBytes)
	slowHeader(ctx, &e, env, u, l.ReadHeaderTimeout)
	if l.ProberExempt {
		e.notef("per-address connection cap %d: this checker's address is a trusted proxy, which the cap exempts: not probed from here (run quire trust from another address)", l.MaxConnsPerIP)
	} else {
		capWithRetries(ctx, &e, u, l.MaxConnsPerIP)
	}
	e.notef("configured: at most %d requests in flight; beyond it 503 with Retry-After while /healthz and /readyz still answer (covered by the server's tests)", l.MaxInFlight)
	return e.result()
}

// oversizedHeader expects 431 for a header twice the limit.
func oversizedHeader(ctx context.Context, e *evidence, c *http.Client, u *url.URL, limit int) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.JoinPath("healthz").String(), nil)
	req.Header.Set("X-Quire-Trust-Pad", strings.Repeat("a", 2*limit))
	resp, err := c.Do(req)
	if err != nil {
		e.failf("oversized header: %v", err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		e.failf("a header of %d bytes (limit %d) answered %d, want 431", 2*limit, limit, resp.StatusCode)
		return
	}
	e.notef("a header of %d bytes (limit %d): 431", 2*limit, limit)
}

// oversizedBody expects 413 for a body over the limit.
func oversizedBody(ctx context.Context, e *evidence, c *http.Client, u *url.URL, limit int64) {
	body := append([]byte(`{"email":"x@trust-check.invalid","password":"`), bytes.Repeat([]byte("a"), int(limit)+1024)...)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u.JoinPath("api/v1/auth/login").String(), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		// The server may close the connection once the cap is hit, before
		// the client finished sending; that is a refusal too. Any other
		// failure is not.
		if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) && !errors.Is(err, io.EOF) {
			e.failf("a body of %d bytes (limit %d): %v", len(body), limit, err)
			return
		}
		e.notef("a body of %d bytes (limit %d): the server closed the connection while it was sent", len(body), limit)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		e.failf("a body of %d bytes (limit %d) answered %d, want 413", len(body), limit, resp.StatusCode)
		return
	}
	e.notef("a body of %d bytes (limit %d): 413", len(body), limit)
}

// slowHeader starts a request and never finishes its header, expecting the
// server to close the connection once the header timeout passes.
func slowHeader(ctx context.Context, e *evidence, env *Env, u *url.URL, timeout time.Duration) {
	if timeout > maxSlowWait {
		e.notef("header timeout %v: longer than this check waits (%v), not probed", timeout, maxSlowWait)
		return
	}
	d := tls.Dialer{NetDialer: dialerFrom(ctx), Config: &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: env.RootCAs, ServerName: env.tlsName(u)}}
	conn, err := d.DialContext(ctx, "tcp", hostPort(u))
	if err != nil {
		e.failf("slow header: %v", err)
		return
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() }) // a cancelled run does not wait out the timeout
	defer stop()
	start := time.Now()
	fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: %s\r\nX-Slow: ", u.Host) // and no more
	_ = conn.SetReadDeadline(start.Add(timeout + closedWithin))
	_, err = conn.Read(make([]byte, 1))
	waited := time.Since(start)
	if ne := (net.Error)(nil); errors.As(err, &ne) && ne.Timeout() {
		e.failf("a request header left unfinished was still open after %v (header timeout %v): slow clients can hold connections", waited.Round(time.Millisecond), timeout)
		return
	}
	e.notef("a request header left unfinished: the server closed the connection after %v (header timeout %v)", waited.Round(100*time.Millisecond), timeout)
}

// capSlack is how many of the checker's own earlier connections the
// server may still be counting (closed by the client, not yet noticed).
const capSlack = 2

// connectionCap opens connections from one address until the server
// refuses one, expecting that to happen at the cap (less at most capSlack
// connections of the checker's own the server has not yet seen close), and
// the connections before it to stay open.
func connectionCap(ctx context.Context, e *evidence, u *url.URL, perIP int) {
	if perIP > maxCapProbe {
		e.notef("per-address connection cap %d: more than this check opens (%d), not probed", perIP, maxCapProbe)
		return
	}
	d := dialerFrom(ctx)
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
		waitForRoom(ctx, d, hostPort(u))
	}()
	// Dial them all at once: the server times out idle handshakes, so a
	// slow probe would see the cap make room and never fill it.
	for range perIP + 1 {
		c, err := d.DialContext(ctx, "tcp", hostPort(u))
		if err != nil {
			break // refused at once (reset during the dial)
		}
		conns = append(conns, c)
	}
	held := -1
	if len(conns) <= perIP {
		held = len(conns)
	}
	for i, c := range conns {
		if held >= 0 && i >= held {
			break
		}
		if closedSoon(c, shortWait) {
			held = i
		}
	}
	switch {
	case held < 0:
		e.failf("%d connections from one address were all kept open (cap %d)", perIP+1, perIP)
	case held < perIP-capSlack:
		e.failf("a connection was refused after only %d from one address (cap %d)", held, perIP)
	case held > 0 && closedSoon(conns[0], shortWait):
		e.failf("the first connection was closed too: the cap refused more than the extra one")
	default:
		e.notef("%d connections from one address stayed open; the next was refused at once (cap %d)", held, perIP)
	}
}

// waitForRoom waits (briefly) until the server accepts a connection from
// this address again, so the checks after this one are not refused.
func waitForRoom(ctx context.Context, d *net.Dialer, addr string) {
	for deadline := time.Now().Add(closedWithin); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			continue
		}
		open := !closedSoon(c, stillOpenWait)
		c.Close()
		if open {
			return
		}
	}
}

// closedSoon reports whether the server closes c without a word within
// wait (a read that ends other than by timing out).
func closedSoon(c net.Conn, wait time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(wait))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// hostPort is u's host with the https port filled in.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), "443")
}

// capAttempts is how often the cap probe runs before its result counts: a
// cap already in use by another client of this address (another trust
// run) refuses early, which says nothing about the cap.
const capAttempts = 3

// capWithRetries runs connectionCap, again after a pause while the cap was
// refusing too early, and keeps the last attempt's evidence.
func capWithRetries(ctx context.Context, e *evidence, u *url.URL, perIP int) {
	for i := 1; ; i++ {
		var try evidence
		connectionCap(ctx, &try, u, perIP)
		if !try.failed || i == capAttempts || ctx.Err() != nil {
			e.lines = append(e.lines, try.lines...)
			e.failed = e.failed || try.failed
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}
