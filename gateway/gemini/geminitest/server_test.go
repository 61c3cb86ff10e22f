package geminitest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEveryGoldenParses(t *testing.T) {
	files, err := filepath.Glob("../testdata/*.http")
	if err != nil || len(files) < 30 {
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
		if g.StatusCode < 200 || g.Header.Get("Content-Type") == "" || g.Header.Get("Date") == "" || len(g.Body) == 0 {
			t.Fatalf("%s: %d %v %d bytes", f, g.StatusCode, g.Header, len(g.Body))
		}
		if strings.HasPrefix(g.Header.Get("Content-Type"), "application/json") && g.StatusCode != 200 && !json.Valid(g.Body) {
			t.Fatalf("%s: error body is not JSON", f)
		}
	}
}

func TestReplayAndRecord(t *testing.T) {
	s := New(t, os.DirFS("../testdata"))
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Fatalf("URL %s", s.URL)
	}
	post := func(path string) *http.Response {
		resp, err := http.Post(s.URL+path, "application/json", strings.NewReader(`{"contents":[]}`))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := post("/v1beta/models/stream_cut:streamGenerateContent?alt=sse")
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || resp.Header.Get("X-Fake-Abort") != "" || !strings.Contains(string(body), "Once upon") {
		t.Fatalf("abort: err %v, header %v, body %q", err, resp.Header, body)
	}
	resp = post("/v1/projects/p/locations/global/publishers/google/models/error_429:generateContent")
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Server") != "scaffolding on HTTPServer2" || len(resp.Header.Values("Vary")) != 3 {
		t.Fatalf("429: %d %v", resp.StatusCode, resp.Header)
	}
	resp = post("/v1beta/models/..%2Fsecrets:generateContent")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || !strings.Contains(string(body), `"status":"NOT_FOUND"`) {
		t.Fatalf("path outside testdata: %d %s", resp.StatusCode, body)
	}
	for _, path := range []string{"/v1beta/models?pageSize=1000", "/v1beta/models?pageToken=Chxtb2RlbHMvZ2VtaW5pLWVtYmVkZGluZy0wMDE", "/v1beta1/publishers/google/models"} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	reqs := s.Requests()
	want := []string{"stream_cut", "error_429", "secrets", "models", "models_Chxtb2RlbHMvZ2VtaW5pLWVtYmVkZGluZy0wMDE", "vertex_models"}
	if len(reqs) != len(want) || reqs[0].RawQuery != "alt=sse" || reqs[1].Path != "/v1/projects/p/locations/global/publishers/google/models/error_429:generateContent" {
		t.Fatalf("recorded %+v", reqs)
	}
	for i, w := range want {
		if reqs[i].Scenario != w {
			t.Fatalf("request %d: scenario %q, want %q", i, reqs[i].Scenario, w)
		}
	}
	if m, err := reqs[0].JSON(); err != nil || m["contents"] == nil {
		t.Fatalf("JSON %v %v", m, err)
	}
	s.StopRecording()
	post("/v1beta/models/chat_text:generateContent").Body.Close()
	if len(s.Requests()) != len(want) {
		t.Fatal("recorded after StopRecording")
	}
}

// assertion signs a JWT bearer assertion as a service account does.
func assertion(t *testing.T, key *rsa.PrivateKey, aud string, exp time.Time) string {
	t.Helper()
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signed := enc(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." + enc(map[string]any{
		"iss": "sa@p.iam.gserviceaccount.com", "scope": "https://www.googleapis.com/auth/cloud-platform",
		"aud": aud, "exp": exp.Unix(), "iat": time.Now().Unix(),
	})
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestTokenEndpoint(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	s := New(t, os.DirFS("../testdata"))
	tokenURL := s.ServeTokens(&key.PublicKey, 50*time.Millisecond, time.Hour)
	exchange := func(a string) (int, map[string]any) {
		resp, err := http.PostForm(tokenURL, url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {a}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	other, _ := rsa.GenerateKey(rand.Reader, 1024)
	for name, a := range map[string]string{
		"wrong key":      assertion(t, other, tokenURL, time.Now().Add(time.Hour)),
		"wrong audience": assertion(t, key, "https://oauth2.googleapis.com/token", time.Now().Add(time.Hour)),
		"expired":        assertion(t, key, tokenURL, time.Now().Add(-time.Minute)),
		"garbage":        "a.b.c",
	} {
		if code, m := exchange(a); code != 400 || m["error"] != "invalid_grant" {
			t.Fatalf("%s: %d %v", name, code, m)
		}
	}
	code, m := exchange(assertion(t, key, tokenURL, time.Now().Add(time.Hour)))
	tok, _ := m["access_token"].(string)
	if code != 200 || !strings.HasPrefix(tok, "ya29.") || m["expires_in"] != 0.0 || m["token_type"] != "Bearer" {
		t.Fatalf("token: %d %v", code, m)
	}
	call := func(bearer string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/v1beta/models/chat_text:generateContent", strings.NewReader("{}"))
		req.Header.Set("Authorization", "Bearer "+bearer)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := call("ya29.forged"); code != 401 || !strings.Contains(body, "ACCESS_TOKEN_TYPE_UNSUPPORTED") {
		t.Fatalf("forged token: %d %s", code, body)
	}
	time.Sleep(60 * time.Millisecond)
	if code, body := call(tok); code != 401 || !strings.Contains(body, "ACCESS_TOKEN_EXPIRED") {
		t.Fatalf("expired token: %d %s", code, body)
	}
	_, m = exchange(assertion(t, key, tokenURL, time.Now().Add(time.Hour)))
	if code, _ := call(m["access_token"].(string)); code != 200 || m["expires_in"] != 3600.0 {
		t.Fatalf("second token: %d %v", code, m)
	}
	if len(s.Tokens()) != 2 || len(s.TokenRequests()) != 6 || len(s.Requests()) != 3 {
		t.Fatalf("%d tokens, %d token requests, %d API requests", len(s.Tokens()), len(s.TokenRequests()), len(s.Requests()))
	}
}
