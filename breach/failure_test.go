package breach

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// failingServers are range endpoints that must make the check fail.
func failingServers(t *testing.T) map[string]http.HandlerFunc {
	t.Helper()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	line := sha1Hex(rare)[5:] + ":5\r\n"
	return map[string]http.HandlerFunc{
		"500": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "oops", http.StatusInternalServerError)
		},
		"429": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "slow down", http.StatusTooManyRequests)
		},
		"redirect": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://example.invalid/", http.StatusFound)
		},
		"oversized body": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, line+strings.Repeat(padding(1)[0]+"\r\n", maxBody/38+1))
		},
		"malformed line": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, line+"<html>maintenance</html>\r\n")
		},
		"timeout": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			// Should the request end here before the client gave up
			// (a connection dropped under load), answer as a failing
			// server, never as an empty 200: that is a valid "not found".
			http.Error(w, "gave up", http.StatusServiceUnavailable)
		},
	}
}

func TestRangeFailOpen(t *testing.T) {
	for name, h := range failingServers(t) {
		_, o := serve(t, h, nil)
		o.Timeout = 50 * time.Millisecond
		var reported atomic.Int32
		o.OnRangeError = func(error) { reported.Add(1) }
		c := mustNew(t, o)
		r, err := c.Lookup(context.Background(), rare)
		if err != nil || r.Breached || r.RangeErr == nil {
			t.Errorf("%s: Lookup = %+v, %v; want not breached, nil error, RangeErr set", name, r, err)
		}
		if c.Stats().RangeFailures != 1 || reported.Load() != 1 {
			t.Errorf("%s: failure not exposed: stats %+v, reported %d", name, c.Stats(), reported.Load())
		}
		if r.RangeErr != nil && strings.Contains(strings.ToLower(r.RangeErr.Error()), strings.ToLower(sha1Hex(rare)[5:])) {
			t.Errorf("%s: RangeErr holds the hash suffix: %v", name, r.RangeErr)
		}
		// The offline answer still applies while the range API is down.
		if ok, err := c.Check(context.Background(), "password"); !ok || err != nil {
			t.Errorf("%s: Check(password) = %v, %v; want true from the offline list", name, ok, err)
		}
	}
}

func TestRangeFailClosed(t *testing.T) {
	for name, h := range failingServers(t) {
		_, o := serve(t, h, nil)
		o.Timeout, o.FailClosed = 50*time.Millisecond, true
		ok, err := mustNew(t, o).Check(context.Background(), rare)
		if ok || quire.ErrorCode(err) != quire.EBREACHUNAVAILABLE {
			t.Errorf("%s: Check = %v, %v; want false, EBREACHUNAVAILABLE", name, ok, err)
		}
	}
}

func TestOldTLSRefused(t *testing.T) {
	var called atomic.Int32
	f := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called.Add(1) })
	_, o := serve(t, f, &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
	o.FailClosed = true
	_, err := mustNew(t, o).Check(context.Background(), rare)
	if quire.ErrorCode(err) != quire.EBREACHUNAVAILABLE || called.Load() != 0 {
		t.Fatalf("Check against a TLS 1.1 server = %v (handler called %d times); want refused", err, called.Load())
	}
	if !strings.Contains(err.Error(), "protocol version") {
		t.Fatalf("refused for another reason: %v", err)
	}
	tr := newHTTPClient(time.Second, nil).Transport.(*http.Transport)
	if tr.TLSClientConfig.MinVersion != tls.VersionTLS12 || tr.TLSClientConfig.InsecureSkipVerify {
		t.Fatalf("default client TLS config = %+v", tr.TLSClientConfig)
	}
}

// TestUntrustedCertificateRefused uses the default client (system roots)
// against the test server's self-signed certificate.
func TestUntrustedCertificateRefused(t *testing.T) {
	var called atomic.Int32
	f := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called.Add(1) })
	_, o := serve(t, f, nil)
	o.HTTPClient, o.FailClosed = nil, true
	_, err := mustNew(t, o).Check(context.Background(), rare)
	var verr *tls.CertificateVerificationError
	if quire.ErrorCode(err) != quire.EBREACHUNAVAILABLE || called.Load() != 0 || !errors.As(err, &verr) {
		t.Fatalf("Check against an untrusted certificate = %v (handler called %d times); want a verification error", err, called.Load())
	}
}

func TestNewValidatesRangeURL(t *testing.T) {
	for _, u := range []string{"http://api.pwnedpasswords.com/range/", "ftp://x/", "https:///range/", "https://x/range/?a=b", "://bad"} {
		if _, err := New(Options{RangeURL: u}); err == nil {
			t.Errorf("New(RangeURL %q) = nil error, want one", u)
		}
	}
	c := mustNew(t, Options{RangeURL: "https://hibp.internal/range"})
	if c.rangeURL != "https://hibp.internal/range/" {
		t.Errorf("rangeURL = %q, want a trailing slash", c.rangeURL)
	}
	if c := mustNew(t, Options{}); c.rangeURL != DefaultRangeURL || c.timeout != DefaultTimeout {
		t.Errorf("defaults = %q, %v", c.rangeURL, c.timeout)
	}
	if _, err := New(Options{DisableRange: true, RangeURL: "http://ignored/"}); err != nil {
		t.Errorf("New with the range API disabled checks its URL: %v", err)
	}
}
