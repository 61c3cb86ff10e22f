package http_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	quirehttp "github.com/quirehq/quire/http"
)

const panicMarker = "panic-marker-7f3a"

// newStack returns a server (never opened) with test routes, for driving
// the whole stack through ServeHTTP.
func newStack(t *testing.T, cfg quirehttp.Config) (*quirehttp.Server, *logBuffer) {
	t.Helper()
	logger, logs := newLogger()
	cfg.Logger = logger
	s := quirehttp.NewServer(cfg)
	s.Handle("GET /ok", func(w http.ResponseWriter, r *http.Request) error {
		return quirehttp.JSON(w, http.StatusOK, map[string]string{"hello": "world"})
	})
	s.Handle("POST /ok", func(w http.ResponseWriter, r *http.Request) error {
		return quirehttp.JSON(w, http.StatusCreated, map[string]string{})
	})
	s.Handle("GET /fail", func(w http.ResponseWriter, r *http.Request) error {
		return errors.New("database exploded: " + panicMarker)
	})
	s.Handle("GET /missing", func(w http.ResponseWriter, r *http.Request) error {
		return quire.Errorf(quire.ENOTFOUND, "Note not found.")
	})
	s.Handle("GET /panic", func(w http.ResponseWriter, r *http.Request) error {
		panic(panicMarker)
	})
	s.Mount("GET /mounted", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "mounted")
	}))
	return s, logs
}

func serve(s http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestStackResponses(t *testing.T) {
	tests := []struct {
		method, path string
		wantStatus   int
		wantCode     string // "" for a non-error response
		wantAllow    string
	}{
		{"GET", "/healthz", 200, "", ""},
		{"GET", "/ok", 200, "", ""},
		{"GET", "/mounted", 200, "", ""},
		{"HEAD", "/ok", 200, "", ""},
		{"GET", "/nope", 404, "not_found", ""},
		{"GET", "/ok/extra", 404, "not_found", ""},
		{"GET", "/missing", 404, "not_found", ""},
		{"DELETE", "/ok", 405, "method_not_allowed", "GET, HEAD, POST"},
		{"POST", "/healthz", 405, "method_not_allowed", "GET, HEAD"},
		{"GET", "/fail", 500, "internal", ""},
		{"GET", "/panic", 500, "internal", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			s, _ := newStack(t, quirehttp.Config{})
			rec := serve(s, tt.method, tt.path)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
			assertSecurityHeaders(t, rec.Header(), hstsWant)
			if got := rec.Header().Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
			if tt.wantCode == "" {
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			e := decodeError(t, rec.Body.String())
			if e.Error.Code != tt.wantCode {
				t.Errorf("code = %q, want %q", e.Error.Code, tt.wantCode)
			}
			if (tt.wantStatus >= 500) != (e.Error.ID != "") {
				t.Errorf("id = %q on a %d", e.Error.ID, tt.wantStatus)
			}
			if strings.Contains(rec.Body.String(), panicMarker) || strings.Contains(rec.Body.String(), "goroutine") {
				t.Errorf("body leaks internals: %s", rec.Body)
			}
		})
	}
}

func TestHSTSPreload(t *testing.T) {
	s, _ := newStack(t, quirehttp.Config{HSTSPreload: true})
	for _, path := range []string{"/ok", "/nope", "/fail", "/panic"} {
		rec := serve(s, "GET", path)
		assertSecurityHeaders(t, rec.Header(), hstsWant+"; preload")
	}
}

func TestPanicIsLoggedWithStackAndID(t *testing.T) {
	s, logs := newStack(t, quirehttp.Config{})
	rec := serve(s, "GET", "/panic")
	e := decodeError(t, rec.Body.String())
	entry := logs.find(t, "error_id", e.Error.ID)
	if entry == nil {
		t.Fatalf("error id %s not in the log: %s", e.Error.ID, logs)
	}
	if msg, _ := entry["error"].(string); !strings.Contains(msg, panicMarker) {
		t.Errorf("logged error %q lacks the panic value", msg)
	}
	if stack, _ := entry["stack"].(string); !strings.Contains(stack, "router_test.go") {
		t.Errorf("logged stack does not reach the handler: %q", stack)
	}
	if entry["route"] != "GET /panic" {
		t.Errorf("route = %v", entry["route"])
	}
}

func TestPanicAfterResponseStartedAbortsConnection(t *testing.T) {
	s := openServer(t, quirehttp.Config{}, func(s *quirehttp.Server) {
		s.Mount("GET /half", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "partial")
			http.NewResponseController(w).Flush()
			panic(panicMarker)
		}))
	})
	resp, err := s.client.Get(s.URL() + "/half")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("truncated response read as complete")
	}
	if findContaining(t, s.logs, "request failed") == nil {
		t.Error("panic not logged")
	}
}

func TestMountedHandlerSharesStack(t *testing.T) {
	s, _ := newStack(t, quirehttp.Config{})
	rec := serve(s, "GET", "/mounted")
	if rec.Body.String() != "mounted" {
		t.Errorf("body = %q", rec.Body)
	}
	assertSecurityHeaders(t, rec.Header(), hstsWant)
}

func TestCleanPathRedirectPassesThrough(t *testing.T) {
	s, _ := newStack(t, quirehttp.Config{})
	rec := serve(s, "GET", "/a/../ok")
	if rec.Code/100 != 3 || rec.Header().Get("Location") != "/ok" {
		t.Errorf("status %d Location %q", rec.Code, rec.Header().Get("Location"))
	}
	assertSecurityHeaders(t, rec.Header(), hstsWant)
}
