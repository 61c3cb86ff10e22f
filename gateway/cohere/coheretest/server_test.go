package coheretest

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEveryGoldenParses(t *testing.T) {
	files, err := filepath.Glob("../testdata/*.http")
	if err != nil || len(files) < 15 {
		t.Fatalf("golden files: %v, %v", files, err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		g, err := ParseGolden(raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if g.StatusCode < 200 || g.Header.Get("Content-Type") == "" || len(g.Body) == 0 {
			t.Fatalf("%s: %d %v %d bytes", f, g.StatusCode, g.Header, len(g.Body))
		}
	}
}

func TestReplayAndRecord(t *testing.T) {
	s := New(t, os.DirFS("../testdata"))
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Fatalf("URL %s", s.URL)
	}
	post := func(model string) *http.Response {
		resp, err := http.Post(s.URL+"/v2/rerank", "application/json", strings.NewReader(`{"model":"`+model+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := post("error_429")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("X-Debug-Trace-Id") == "" || !strings.Contains(string(body), "Trial key") {
		t.Fatalf("429: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	resp = post("cut")
	_, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || resp.Header.Get("X-Fake-Abort") != "" {
		t.Fatalf("abort: %v %v", err, resp.Header)
	}
	resp = post("../secrets")
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("path outside testdata: %d", resp.StatusCode)
	}
	resp, err = http.Get(s.URL + "/v1/models?endpoint=rerank&page_token=eyJvZmZzZXQiOjN9")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	reqs := s.Requests()
	if resp.StatusCode != 200 || len(reqs) != 4 || reqs[0].Scenario != "error_429" || reqs[0].Path != "/v2/rerank" ||
		s.Last().Scenario != "models_rerank_eyJvZmZzZXQiOjN9" {
		t.Fatalf("recorded %+v", reqs)
	}
}
