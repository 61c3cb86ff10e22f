package http_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	quirehttp "github.com/quirehq/quire/http"
)

const secretMarker = "secret-cause-91c2"

func TestErrorRendering(t *testing.T) {
	cause := errors.New(secretMarker)
	tests := []struct {
		name        string
		err         error
		wantStatus  int
		wantCode    string
		wantMessage string
	}{
		{"invalid_input", quire.WrapError(quire.EINVALID, "Title is too long.", cause), 400, "invalid_input", "Title is too long."},
		{"unauthorized", quire.Errorf(quire.EUNAUTHORIZED, "Sign in first."), 401, "unauthorized", "Sign in first."},
		{"forbidden", quire.Errorf(quire.EFORBIDDEN, "Not your workspace."), 403, "forbidden", "Not your workspace."},
		{"not_found", quire.Errorf(quire.ENOTFOUND, "Note not found."), 404, "not_found", "Note not found."},
		{"conflict", quire.Errorf(quire.ECONFLICT, "Email taken."), 409, "conflict", "Email taken."},
		{"too_large", quire.Errorf(quire.ETOOLARGE, "File too large."), 413, "too_large", "File too large."},
		{"internal", quire.WrapError(quire.EINTERNAL, "Store failed: "+secretMarker, cause), 500, "internal", "Internal error."},
		{"not_implemented", quire.Errorf(quire.ENOTIMPLEMENTED, "Not yet: "+secretMarker), 501, "not_implemented", "Not implemented."},
		{"unavailable", quire.WrapError(quire.EUNAVAILABLE, "DB down: "+secretMarker, cause), 503, "unavailable", "Service unavailable. Try again later."},
		{"plain error", fmt.Errorf("query: %w", cause), 500, "internal", "Internal error."},
		{"wrapped quire error", fmt.Errorf("handler: %w", quire.Errorf(quire.ENOTFOUND, "Gone.")), 404, "not_found", "Gone."},
		{"unknown code", quire.Errorf("made_up_code", "Whatever "+secretMarker), 500, "internal", "Internal error."},
		{"body too large", fmt.Errorf("read: %w", &http.MaxBytesError{Limit: 10}), 413, "too_large", "Request body too large."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger, logs := newLogger()
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "/x", nil)
			quirehttp.Error(rec, req, logger, tt.err)

			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			e := decodeError(t, rec.Body.String())
			if e.Error.Code != tt.wantCode || e.Error.Message != tt.wantMessage {
				t.Errorf("body = %+v, want code %q message %q", e.Error, tt.wantCode, tt.wantMessage)
			}
			if strings.Contains(rec.Body.String(), secretMarker) {
				t.Errorf("body leaks the cause: %s", rec.Body)
			}
			if tt.wantStatus < 500 {
				if e.Error.ID != "" {
					t.Errorf("4xx carries id %q", e.Error.ID)
				}
				return
			}
			if !quire.ValidID(e.Error.ID) {
				t.Fatalf("5xx id %q is not a valid ID", e.Error.ID)
			}
			entry := logs.find(t, "error_id", e.Error.ID)
			if entry == nil {
				t.Fatalf("id %s not logged: %s", e.Error.ID, logs)
			}
			if entry["level"] != "ERROR" || entry["status"] != float64(tt.wantStatus) {
				t.Errorf("log record %v", entry)
			}
			if msg, _ := entry["error"].(string); !strings.Contains(msg, tt.err.Error()) {
				t.Errorf("logged error %q lacks the full error %q", msg, tt.err)
			}
		})
	}
}

// TestEveryQuireCodeHasAStatus reads the root package's error codes from its
// source, so that adding a code there without mapping it here fails.
func TestEveryQuireCodeHasAStatus(t *testing.T) {
	codes := quireCodes(t)
	if len(codes) < 9 {
		t.Fatalf("found only %d codes in ../error.go: %v", len(codes), codes)
	}
	for _, code := range codes {
		status := quirehttp.ErrorStatus(code)
		if status == http.StatusInternalServerError && code != quire.EINTERNAL {
			t.Errorf("code %q has no status of its own", code)
		}
	}
}

// quireCodes returns the string constants named E* in ../error.go.
func quireCodes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../error.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	ast.Inspect(f, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range spec.Names {
			if !strings.HasPrefix(name.Name, "E") || i >= len(spec.Values) {
				continue
			}
			if lit, ok := spec.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				v, _ := strconv.Unquote(lit.Value)
				codes = append(codes, v)
			}
		}
		return true
	})
	return codes
}

func TestErrorAfterResponseStartedOnlyLogs(t *testing.T) {
	s, logs := newStack(t, quirehttp.Config{})
	s.Handle("GET /late", func(w http.ResponseWriter, r *http.Request) error {
		if err := quirehttp.JSON(w, http.StatusOK, map[string]int{"n": 1}); err != nil {
			return err
		}
		return errors.New("late failure")
	})
	rec := serve(s, "GET", "/late")
	if rec.Code != http.StatusOK || rec.Body.String() != "{\"n\":1}\n" {
		t.Errorf("response changed after it started: %d %q", rec.Code, rec.Body)
	}
	entry := findContaining(t, logs, "request failed")
	if entry == nil || entry["response_started"] != true {
		t.Errorf("late error log record = %v", entry)
	}
}

func TestErrorDropsTheFailedResponsesHeaders(t *testing.T) {
	s, _ := newStack(t, quirehttp.Config{})
	s.Handle("GET /download", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Set-Cookie", "__Host-session=abc; Secure; HttpOnly")
		w.Header().Set("Content-Disposition", `attachment; filename="notes.zip"`)
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		return errors.New("disk gone")
	})
	rec := serve(s, "GET", "/download")
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", rec.Code)
	}
	for _, k := range []string{"Set-Cookie", "Content-Disposition", "Content-Encoding"} {
		if v := rec.Header().Get(k); v != "" {
			t.Errorf("error response carries %s: %q", k, v)
		}
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
}

func TestJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := quirehttp.JSON(rec, http.StatusCreated, map[string]string{"x": "<b>"}); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusCreated || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if got := rec.Body.String(); got != "{\"x\":\"\\u003cb\\u003e\"}\n" {
		t.Errorf("body = %q", got)
	}

	rec = httptest.NewRecorder()
	if err := quirehttp.JSON(rec, http.StatusOK, map[string]any{"f": func() {}}); err == nil {
		t.Error("no error for an unencodable value")
	}
	if rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "" {
		t.Error("JSON wrote a response before encoding succeeded")
	}
}
