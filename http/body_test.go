package http_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	quirehttp "github.com/quirehq/quire/http"
)

func TestBodyLimit(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) error {
		var v struct {
			Text string `json:"text"`
		}
		if err := quirehttp.DecodeJSON(r, &v); err != nil {
			return err
		}
		return quirehttp.JSON(w, http.StatusOK, map[string]int{"len": len(v.Text)})
	}
	s := openServer(t, quirehttp.Config{}, func(s *quirehttp.Server) {
		s.Handle("POST /echo", echo)
		s.Mount("POST /upload", quirehttp.BodyLimit(3<<20, adapt(echo)))
	})
	body := func(n int) string { return `{"text":"` + strings.Repeat("a", n) + `"}` }
	tests := []struct {
		name, path string
		size       int
		wantStatus int
		wantCode   string
	}{
		{"small", "/echo", 10, 200, ""},
		{"just under 1 MiB", "/echo", 1<<20 - 20, 200, ""},
		{"over 1 MiB", "/echo", 1<<20 + 1, 413, "too_large"},
		{"2 MiB on a raised route", "/upload", 2 << 20, 200, ""},
		{"over the raised limit", "/upload", 3<<20 + 1, 413, "too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, got := do(t, s.client, "POST", s.URL()+tt.path, strings.NewReader(body(tt.size)))
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %.200s", resp.StatusCode, tt.wantStatus, got)
			}
			if tt.wantCode != "" {
				if e := decodeError(t, got); e.Error.Code != tt.wantCode {
					t.Errorf("code %q", e.Error.Code)
				}
			}
		})
	}
}

// adapt turns a HandlerFunc into an http.Handler that renders errors like
// Handle does, for use with Mount.
func adapt(h quirehttp.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			quirehttp.Error(w, r, nil, err)
		}
	})
}

func TestMaxHeaderBytes(t *testing.T) {
	s := openServer(t, quirehttp.Config{MaxHeaderBytes: 8 << 10}, nil)
	tc := clientTLS(t)
	tc.NextProtos = []string{"http/1.1"}
	c := newClient(t, tc)
	c.Transport.(*http.Transport).ForceAttemptHTTP2 = false
	req, err := http.NewRequest("GET", s.URL()+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Big", string(bytes.Repeat([]byte("a"), 64<<10)))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status %d, want 431", resp.StatusCode)
	}
}

func TestBodyLimitOutsideStack(t *testing.T) {
	var readErr error
	h := quirehttp.BodyLimit(10, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, readErr = io.ReadAll(r.Body)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("a", 11))))
	var tooLarge *http.MaxBytesError
	if !errors.As(readErr, &tooLarge) {
		t.Errorf("read error %v, want *http.MaxBytesError", readErr)
	}
}
