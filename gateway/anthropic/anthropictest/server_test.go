package anthropictest

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
	if err != nil || len(files) < 25 {
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
		if g.StatusCode != 502 && g.Header.Get("Request-Id") == "" {
			t.Fatalf("%s: no request-id header", f)
		}
	}
}

func TestReplayAndRecord(t *testing.T) {
	s := New(t, os.DirFS("../testdata"))
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Fatalf("URL %s", s.URL)
	}
	post := func(model string) *http.Response {
		resp, err := http.Post(s.URL+"/v1/messages", "application/json", strings.NewReader(`{"model":"`+model+`"}`))
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
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "17" || resp.Header.Get("Anthropic-Ratelimit-Input-Tokens-Remaining") != "0" {
		t.Fatalf("429: %d %v", resp.StatusCode, resp.Header)
	}
	resp = post("../secrets")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || !strings.Contains(string(body), `"not_found_error"`) || resp.Header.Get("Request-Id") == "" {
		t.Fatalf("path outside testdata: %d %s", resp.StatusCode, body)
	}
	for _, q := range []string{"", "?limit=1000&after_id=claude-opus-4-1-20250805"} {
		resp, err := http.Get(s.URL + "/v1/models" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("models%s: %d", q, resp.StatusCode)
		}
	}
	reqs := s.Requests()
	if len(reqs) != 5 || reqs[1].Model != "error_429" || reqs[1].Path != "/v1/messages" || reqs[3].Model != "models" ||
		reqs[4].Model != "models_after_claude-opus-4-1-20250805" || s.Last().RawQuery == "" {
		t.Fatalf("recorded %+v", reqs)
	}
	s.StopRecording()
	post("messages_text").Body.Close()
	if len(s.Requests()) != 5 {
		t.Fatal("recorded after StopRecording")
	}
}
