package trust

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite ../SECURITY.md from the registry")

func sampleReport() *Report {
	return &Report{
		Generated: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Version:   "1.2.3",
		Target:    "https://127.0.0.1:8443",
		Results: []Result{
			{ID: "ENC-1", Section: "Encryption", Title: "Encryption at rest", Text: "Uses `code`.", Status: StatusPass,
				Evidence: []string{"3 markers written", `<script>alert("x")</script>`}, Duration: 1500 * time.Millisecond},
			{ID: "GDPR-1", Section: "Compliance", Title: "Export", Text: "Export.", Status: StatusNotImplemented,
				Evidence: []string{"no automated check yet"}},
			{ID: "TLS-1", Section: "Compliance", Title: "TLS", Text: "TLS.", Status: StatusFail,
				Evidence: []string{"FAIL: bad\x1b[31mred"}},
		},
	}
}

func TestWriteText(t *testing.T) {
	var buf bytes.Buffer
	if err := sampleReport().WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"version 1.2.3, target https://127.0.0.1:8443, generated 2025-01-02T03:04:05Z",
		"ID      STATUS           TITLE\n",
		"ENC-1   pass             Encryption at rest\n",
		"GDPR-1  not_implemented  Export\n",
		"\n                         3 markers written\n",
		"FAIL: bad\\x1b[31mred",
		"Result: FAIL (1 pass, 1 fail, 0 not applicable, 1 not implemented; claims without a check are listed but do not fail the run)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Error("a control character from evidence reached the terminal")
	}
}

func TestWriteJSONShape(t *testing.T) {
	var buf bytes.Buffer
	if err := sampleReport().WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	assertJSONShape(t, buf.Bytes())
}

// assertJSONShape checks the field names of /trust.json, which outside
// tools read.
func assertJSONShape(t *testing.T, body []byte) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	for _, k := range []string{"generated", "version", "target", "results", "passed"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("report lacks %q: %s", k, body)
		}
	}
	results, _ := doc["results"].([]any)
	if len(results) == 0 {
		t.Fatalf("no results: %s", body)
	}
	first, _ := results[0].(map[string]any)
	for _, k := range []string{"id", "section", "title", "text", "status", "evidence", "durationNs"} {
		if _, ok := first[k]; !ok {
			t.Errorf("result lacks %q: %v", k, first)
		}
	}
	if ev, ok := first["evidence"].([]any); !ok || len(ev) == 0 {
		t.Errorf("evidence is not a non-empty array: %v", first["evidence"])
	}
}

func serve(t *testing.T, h http.Handler, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

func TestHandler(t *testing.T) {
	h := Handler(func(context.Context) *Report { return sampleReport() })

	rec := serve(t, h, http.MethodGet, "/trust.json")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("/trust.json: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	assertJSONShape(t, rec.Body.Bytes())

	rec = serve(t, h, http.MethodGet, "/trust")
	page := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("/trust: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, want := range []string{
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", // evidence escaped
		"<code>code</code>", // backquotes become code
		`<tr id="ENC-1">`, "not implemented", "Overall: fail", "1 pass, 1 fail, 0 not applicable, 1 not implemented",
		`href="trust.json"`, "FAIL: bad\x1b[31mred",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	lower := strings.ToLower(page)
	for _, banned := range []string{"<script", "<style", " style=", "onload=", "onclick=", "http://", "https://cdn", "<link"} {
		if strings.Contains(lower, banned) {
			t.Errorf("page contains %q: no inline script or style and no external assets", banned)
		}
	}
	if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers: %v", rec.Header())
	}

	head := serve(t, h, http.MethodHead, "/trust")
	if head.Code != http.StatusOK || head.Body.Len() != 0 {
		t.Errorf("HEAD: %d with %d body bytes", head.Code, head.Body.Len())
	}
	post := serve(t, h, http.MethodPost, "/trust.json")
	if post.Code != http.StatusMethodNotAllowed || post.Header().Get("Allow") != "GET, HEAD" ||
		!strings.Contains(post.Body.String(), `"code":"method_not_allowed"`) {
		t.Errorf("POST: %d %q %s", post.Code, post.Header().Get("Allow"), post.Body)
	}
}

func TestHandlerNoReport(t *testing.T) {
	h := Handler(func(context.Context) *Report { return nil })
	rec := serve(t, h, http.MethodGet, "/trust.json")
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"code":"unavailable"`) {
		t.Fatalf("nil report: %d %s", rec.Code, rec.Body)
	}
}

func TestCodeSpans(t *testing.T) {
	tests := []struct {
		in   string
		want []span
	}{
		{"plain", []span{{Text: "plain"}}},
		{"a `b` c", []span{{Text: "a "}, {Text: "b", Code: true}, {Text: " c"}}},
		{"`x`", []span{{Text: "x", Code: true}}},
		{"odd ` tick", []span{{Text: "odd ` tick"}}},
	}
	for _, tt := range tests {
		got := codeSpans(tt.in)
		if len(got) != len(tt.want) {
			t.Errorf("codeSpans(%q) = %+v, want %+v", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("codeSpans(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		}
	}
}

// TestSecurityMD keeps the committed SECURITY.md equal to the registry.
func TestSecurityMD(t *testing.T) {
	const path = "../SECURITY.md"
	got := SecurityMD()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v; run: go test ./trust -run TestSecurityMD -update", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("SECURITY.md is stale: it differs from the claim registry; run: go test ./trust -run TestSecurityMD -update")
	}
	for _, c := range Claims() {
		if !bytes.Contains(got, []byte("#### "+c.ID+": ")) || !bytes.Contains(got, []byte("> "+c.Text+"\n")) {
			t.Errorf("SECURITY.md lacks claim %s with its text", c.ID)
		}
	}
	for _, want := range []string{"security.txt", "/trust", "not_implemented", "do not fail the run"} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("SECURITY.md does not mention %q", want)
		}
	}
}
