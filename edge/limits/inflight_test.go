package limits

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"
)

// blocking is a handler whose /slow requests wait for release; every other
// path answers 200 at once.
type blocking struct {
	entered chan struct{}
	release chan struct{}
}

func newBlocking() *blocking {
	return &blocking{entered: make(chan struct{}, 64), release: make(chan struct{})}
}

func (b *blocking) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/slow" {
		b.entered <- struct{}{}
		<-b.release
	}
	w.WriteHeader(http.StatusOK)
}

// serve runs one request through h and returns the recorded response.
func serve(h http.Handler, method, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

// fill starts n /slow requests and returns once all of them are inside the
// handler, with a WaitGroup that ends when they have returned.
func fill(t *testing.T, h http.Handler, b *blocking, n int) *sync.WaitGroup {
	t.Helper()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if rec := serve(h, "GET", "/slow"); rec.Code != http.StatusOK {
				t.Errorf("request within the limit got %d", rec.Code)
			}
		})
	}
	for range n {
		select {
		case <-b.entered:
		case <-time.After(failsafe):
			t.Fatal("requests within the limit did not reach the handler")
		}
	}
	return &wg
}

func TestInFlightShedsOverLimit(t *testing.T) {
	const max = 3
	b := newBlocking()
	lim := NewInFlight(max, 1500*time.Millisecond, HealthCheck)
	h := lim.Middleware(b)
	wg := fill(t, h, b, max)
	if got := lim.Stats(); got != (InFlightStats{InFlight: max}) {
		t.Fatalf("Stats() while full = %+v", got)
	}

	rec := serve(h, "POST", "/slow")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("request over the limit got %d, want 503", rec.Code)
	}
	for k, want := range map[string]string{
		"Retry-After":   "2", // 1.5s rounded up
		"Cache-Control": "no-store",
		"Content-Type":  "application/json",
	} {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	wantBody := `{"error":{"code":"unavailable","message":"The server is busy. Try again shortly."}}` + "\n"
	if got := rec.Body.String(); got != wantBody {
		t.Errorf("body = %q, want %q", got, wantBody)
	}

	// Health probes pass while full, and are not counted.
	for _, p := range []string{"/healthz", "/readyz"} {
		if rec := serve(h, "GET", p); rec.Code != http.StatusOK {
			t.Errorf("GET %s while full got %d, want 200", p, rec.Code)
		}
	}
	// A path that only looks like a probe does not.
	if rec := serve(h, "POST", "/healthz"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("POST /healthz while full got %d, want 503", rec.Code)
	}
	if got := lim.Stats(); got != (InFlightStats{InFlight: max, Shed: 2}) {
		t.Fatalf("Stats() after shedding = %+v", got)
	}

	close(b.release)
	wg.Wait()
	if got := lim.Stats(); got != (InFlightStats{Shed: 2}) {
		t.Fatalf("Stats() after release = %+v", got)
	}
	// Once released, the full limit is available again.
	wg = fill(t, h, b, max)
	wg.Wait()
	if rec := serve(h, "GET", "/"); rec.Code != http.StatusOK {
		t.Fatalf("request after release got %d, want 200", rec.Code)
	}
}

func TestInFlightPanicFreesSlot(t *testing.T) {
	lim := NewInFlight(1, time.Second, nil)
	h := lim.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic(http.ErrAbortHandler)
		}
	}))
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic did not propagate to the recoverer above")
			}
		}()
		serve(h, "GET", "/panic")
	}()
	if got := lim.Stats().InFlight; got != 0 {
		t.Fatalf("in flight after a panic = %d, want 0", got)
	}
	if rec := serve(h, "GET", "/"); rec.Code != http.StatusOK {
		t.Fatalf("request after a panic got %d, want 200", rec.Code)
	}
}

func TestInFlightNilExemptCountsEverything(t *testing.T) {
	b := newBlocking()
	lim := NewInFlight(1, time.Second, nil)
	h := lim.Middleware(b)
	wg := fill(t, h, b, 1)
	if rec := serve(h, "GET", "/healthz"); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("GET /healthz with no exemption got %d, want 503", rec.Code)
	}
	close(b.release)
	wg.Wait()
}

// TestInFlightConcurrent hammers a small limit from many goroutines under
// -race: the handler itself counts how many run at once, which must never
// pass the limit, and every request is either served or shed.
func TestInFlightConcurrent(t *testing.T) {
	const (
		limit    = 4
		workers  = 32
		requests = 50
	)
	var (
		mu        sync.Mutex
		running   int
		peak      int
		served    int
		shedCount int
	)
	lim := NewInFlight(limit, time.Second, nil)
	h := lim.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		running++
		peak = max(peak, running)
		mu.Unlock()
		runtime.Gosched() // let others in while this one runs
		mu.Lock()
		running--
		mu.Unlock()
	}))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range requests {
				code := serve(h, "GET", "/").Code
				mu.Lock()
				if code == http.StatusOK {
					served++
				} else {
					shedCount++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if peak > limit {
		t.Fatalf("%d requests ran at once, limit %d", peak, limit)
	}
	if served+shedCount != workers*requests || uint64(shedCount) != lim.Stats().Shed {
		t.Fatalf("served %d + shed %d != %d, or Stats().Shed = %d", served, shedCount, workers*requests, lim.Stats().Shed)
	}
	if lim.Stats().InFlight != 0 {
		t.Fatalf("in flight at rest = %d", lim.Stats().InFlight)
	}
}

func TestRetrySeconds(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                     "1",
		-time.Second:          "1",
		time.Millisecond:      "1",
		time.Second:           "1",
		time.Second + 1:       "2",
		30 * time.Second:      "30",
		2*time.Minute + 500e6: "121",
	} {
		if got := retrySeconds(d); got != want {
			t.Errorf("retrySeconds(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestHealthCheck(t *testing.T) {
	tests := []struct {
		method, target string
		want           bool
	}{
		{"GET", "/healthz", true},
		{"HEAD", "/readyz", true},
		{"GET", "/readyz?x=1", true},
		{"POST", "/healthz", false},
		{"GET", "/healthz/", false},
		{"GET", "/api/healthz", false},
		{"GET", "/", false},
	}
	for _, tt := range tests {
		if got := HealthCheck(httptest.NewRequest(tt.method, tt.target, nil)); got != tt.want {
			t.Errorf("HealthCheck(%s %s) = %v, want %v", tt.method, tt.target, got, tt.want)
		}
	}
}

func TestNewInFlightRejectsBadMax(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("NewInFlight(0) did not panic")
		}
	}()
	NewInFlight(0, time.Second, nil)
}
