package breach

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/quirehq/quire"
)

// Defaults of Options.
const (
	// DefaultRangeURL is the public k-anonymity API of Pwned Passwords.
	DefaultRangeURL = "https://api.pwnedpasswords.com/range/"
	DefaultTimeout  = 3 * time.Second
)

// Options configure a Checker. The zero value checks the offline list and
// the public range API, and fails open.
type Options struct {
	// DisableOffline turns the offline list off (it is on by default).
	DisableOffline bool
	// OfflineSize is how many of the most common breached passwords the
	// offline list holds. Default DefaultOfflineSize; at most 30,000.
	OfflineSize int
	// DisableRange turns the range API off, for deployments without
	// internet access: only the offline list is checked.
	DisableRange bool
	// RangeURL is the range endpoint; the 5-character prefix is appended.
	// It must be https. Default DefaultRangeURL.
	RangeURL string
	// Timeout bounds each range request. Default DefaultTimeout.
	Timeout time.Duration
	// FailClosed makes Check fail with quire.EBREACHUNAVAILABLE when the
	// range API cannot answer. By default the check fails open.
	FailClosed bool
	// HTTPClient sends range requests. Default: a client that requires
	// TLS 1.2 or later with certificate verification, follows no
	// redirects, and gives up after Timeout.
	HTTPClient *http.Client
	// OnRangeError, if set, is called with the cause of each failed range
	// request, so that a fail-open check is still logged. The cause never
	// holds the password or more of its hash than the 5-character prefix.
	OnRangeError func(error)
}

// Checker checks passwords against breach data. It is safe for concurrent
// use.
type Checker struct {
	offline    offlineList
	rangeURL   string
	timeout    time.Duration
	failClosed bool
	client     *http.Client
	onErr      func(error)
	stats      counters
}

// New returns a Checker, or an error if RangeURL is not an https URL.
func New(o Options) (*Checker, error) {
	c := &Checker{timeout: o.Timeout, failClosed: o.FailClosed, client: o.HTTPClient, onErr: o.OnRangeError}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if !o.DisableOffline {
		c.offline = newOfflineList(offlineSize(o.OfflineSize))
	}
	if !o.DisableRange {
		u, err := rangeURL(cmp.Or(o.RangeURL, DefaultRangeURL))
		if err != nil {
			return nil, err
		}
		c.rangeURL = u
	}
	if c.client == nil {
		c.client = newHTTPClient(c.timeout, nil)
	}
	return c, nil
}

func offlineSize(n int) int {
	if n <= 0 {
		return DefaultOfflineSize
	}
	return n
}

// rangeURL validates u and ends it with a slash.
func rangeURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("breach: the range URL must be an https URL without query, like " + DefaultRangeURL)
	}
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, nil
}

// Result is the detail of a check.
type Result struct {
	// Breached is true if either source knows the password.
	Breached bool
	// Offline is true if the offline list knows it (the range API is then
	// not asked).
	Offline bool
	// Count is how often the range API has seen it; 0 if not found or not
	// asked.
	Count int64
	// RangeErr is why the range API could not answer when the check failed
	// open; nil otherwise. Log it.
	RangeErr error
}

// Check reports whether pw is a known breached password. See Lookup.
func (c *Checker) Check(ctx context.Context, pw string) (breached bool, err error) {
	r, err := c.Lookup(ctx, pw)
	return r.Breached, err
}

// Lookup checks pw against the offline list, then the range API. If the
// range API fails, it returns quire.EBREACHUNAVAILABLE when failing closed,
// or the offline answer with RangeErr set and a nil error when failing
// open.
func (c *Checker) Lookup(ctx context.Context, pw string) (Result, error) {
	c.stats.checks.Add(1)
	if c.offline != nil && c.offline.contains(pw) {
		c.stats.offlineHits.Add(1)
		return Result{Breached: true, Offline: true}, nil
	}
	if c.rangeURL == "" {
		return Result{}, nil
	}
	n, err := c.rangeCount(ctx, pw)
	if err != nil {
		return c.failed(err)
	}
	if n > 0 {
		c.stats.rangeHits.Add(1)
	}
	return Result{Breached: n > 0, Count: n}, nil
}

// failed counts and reports a range failure, then fails open or closed.
func (c *Checker) failed(err error) (Result, error) {
	c.stats.rangeFailures.Add(1)
	if c.onErr != nil {
		c.onErr(err)
	}
	if c.failClosed {
		return Result{}, quire.WrapError(quire.EBREACHUNAVAILABLE,
			"The breached-password check is unavailable. Try again shortly.", err)
	}
	return Result{RangeErr: fmt.Errorf("breach: failing open: %w", err)}, nil
}
