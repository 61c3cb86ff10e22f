package http_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	quirehttp "github.com/quirehq/quire/http"
)

// TestClientInFlightShare holds one client's requests inside a handler: at
// its share the next one gets 429 with Retry-After, while another client
// and the health check are still served.
func TestClientInFlightShare(t *testing.T) {
	s := quirehttp.NewServer(quirehttp.Config{MaxInFlight: 16, MaxInFlightPerClient: 3})
	entered, release := make(chan struct{}), make(chan struct{})
	s.Handle("GET /slow", func(w http.ResponseWriter, r *http.Request) error {
		entered <- struct{}{}
		<-release
		return nil
	})
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { hit(s, "192.0.2.20", "/slow") })
		<-entered
	}
	r := hit(s, "192.0.2.20", "/slow")
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("over the share: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if r := hit(s, "192.0.2.20", "/healthz"); r.StatusCode != http.StatusOK {
		t.Fatalf("health check: %d", r.StatusCode)
	}
	done := make(chan *http.Response)
	go func() { done <- hit(s, "192.0.2.21", "/slow") }()
	<-entered // another client is served
	close(release)
	if r := <-done; r.StatusCode != http.StatusOK {
		t.Fatalf("another client: %d", r.StatusCode)
	}
	wg.Wait()
	req := httptest.NewRequest(http.MethodGet, "https://quire.test/slow", nil)
	req.RemoteAddr = "192.0.2.20:1"
	rec := httptest.NewRecorder()
	go func() { <-entered }()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("after the others finished: %d", rec.Code)
	}
}
