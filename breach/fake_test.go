package breach

import (
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// sha1Hex is computed here independently of splitHash.
func sha1Hex(pw string) string { return fmt.Sprintf("%X", sha1.Sum([]byte(pw))) }

var prefixPath = regexp.MustCompile(`^/range/[0-9A-F]{5}$`)

// fakeHIBP speaks the range API's wire format: GET /range/{5 upper-case
// hex}, answered with sorted "SUFFIX:COUNT" lines joined by CRLF, padded
// with decoy entries of count 0 when asked with Add-Padding: true.
type fakeHIBP struct {
	breached map[string]int // password → count
	decoys   []string       // extra suffixes served with count 0
	lower    bool           // serve suffixes in lower case
	newline  string         // "\r\n" unless set

	mu    sync.Mutex
	dumps [][]byte // every request, as received
}

func (f *fakeHIBP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	dump, _ := httputil.DumpRequest(r, true)
	f.mu.Lock()
	f.dumps = append(f.dumps, dump)
	f.mu.Unlock()
	if r.Method != http.MethodGet || !prefixPath.MatchString(r.URL.Path) {
		http.Error(w, "The hash prefix was not in a valid format", http.StatusBadRequest)
		return
	}
	prefix := strings.TrimPrefix(r.URL.Path, "/range/")
	var lines []string
	for pw, n := range f.breached {
		if h := sha1Hex(pw); h[:5] == prefix {
			lines = append(lines, fmt.Sprintf("%s:%d", h[5:], n))
		}
	}
	for _, s := range f.decoys {
		lines = append(lines, s+":0")
	}
	if r.Header.Get("Add-Padding") == "true" {
		lines = append(lines, padding(800)...)
	}
	sort.Strings(lines)
	body := strings.Join(lines, cmpOr(f.newline, "\r\n"))
	if f.lower {
		body = strings.ToLower(body)
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprint(w, body)
}

// padding returns n random decoy entries.
func padding(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%035X:0", rand.Uint64()) // zero-padded, 35 digits
	}
	return out
}

func (f *fakeHIBP) requests() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]byte(nil), f.dumps...)
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// serve starts a TLS server for h and returns Options pointing at it with
// a default client that trusts its certificate.
func serve(t *testing.T, h http.Handler, tlsConf *tls.Config) (*httptest.Server, Options) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = tlsConf
	srv.StartTLS()
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return srv, Options{RangeURL: srv.URL + "/range/", HTTPClient: newHTTPClient(DefaultTimeout, roots)}
}

func mustNew(t *testing.T, o Options) *Checker {
	t.Helper()
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}
