package http_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	quirehttp "github.com/quirehq/quire/http"
)

func TestShutdownFinishesInFlightRequests(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	s := openServer(t, quirehttp.Config{HTTPAddr: "127.0.0.1:0"}, func(s *quirehttp.Server) {
		s.Handle("GET /slow", func(w http.ResponseWriter, r *http.Request) error {
			close(started)
			<-release
			return quirehttp.JSON(w, http.StatusOK, map[string]string{"done": "yes"})
		})
	})
	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := s.client.Get(s.URL() + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{resp.StatusCode, string(b), err}
	}()
	<-started

	shutdown := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shutdown <- s.Shutdown(ctx)
	}()
	// The listeners close at once; the in-flight request keeps running.
	waitRefused(t, s.URL())
	waitRefused(t, s.HTTPURL())
	select {
	case err := <-shutdown:
		t.Fatalf("Shutdown returned before the request finished: %v", err)
	default:
	}
	close(release)
	r := <-got
	if r.err != nil || r.status != http.StatusOK || !strings.Contains(r.body, `"done":"yes"`) {
		t.Fatalf("in-flight request: %d %q %v", r.status, r.body, r.err)
	}
	if err := <-shutdown; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

func TestShutdownDeadlineClosesConnections(t *testing.T) {
	started := make(chan struct{})
	s := openServer(t, quirehttp.Config{}, func(s *quirehttp.Server) {
		s.Handle("GET /stuck", func(w http.ResponseWriter, r *http.Request) error {
			close(started)
			<-r.Context().Done()
			return r.Context().Err()
		})
	})
	go func() {
		resp, err := s.client.Get(s.URL() + "/stuck")
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); err == nil || !strings.Contains(err.Error(), context.DeadlineExceeded.Error()) {
		t.Fatalf("Shutdown past its deadline = %v, want deadline exceeded", err)
	}
}

func TestShutdownBeforeOpen(t *testing.T) {
	s := quirehttp.NewServer(quirehttp.Config{})
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// waitRefused waits until nothing accepts connections at base's address.
func waitRefused(t *testing.T, base string) {
	t.Helper()
	addr := base[strings.Index(base, "://")+3:]
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		conn.Close()
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s still accepts connections", addr)
}
