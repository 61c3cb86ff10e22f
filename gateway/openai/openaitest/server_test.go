package openaitest

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
	if err != nil || len(files) < 20 {
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
		resp, err := http.Post(s.URL+"/chat/completions", "application/json", strings.NewReader(`{"model":"`+model+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := post("stream_cut")
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || resp.Header.Get("X-Fake-Abort") != "" || !strings.Contains(string(body), "Once upon") {
		t.Fatalf("abort: err %v, header %v, body %q", err, resp.Header, body)
	}
	resp = post("error_429")
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || resp.Header.Get("X-Ratelimit-Reset-Tokens") != "1.8s" {
		t.Fatalf("429: %d %v", resp.StatusCode, resp.Header)
	}
	resp = post("../secrets")
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("path outside testdata: %d", resp.StatusCode)
	}
	reqs := s.Requests()
	if len(reqs) != 3 || reqs[1].Model != "error_429" || reqs[1].Path != "/v1/chat/completions" || s.Last().Model != "../secrets" {
		t.Fatalf("recorded %+v", reqs)
	}
	s.StopRecording()
	post("chat_text").Body.Close()
	if len(s.Requests()) != 3 {
		t.Fatal("recorded after StopRecording")
	}
}
