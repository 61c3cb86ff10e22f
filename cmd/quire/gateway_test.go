package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/quirehq/quire/gateway/openai/openaitest"
	"github.com/quirehq/quire/internal/authtest"
)

// gatewayServer starts quire serve with one OpenAI provider on a fake
// upstream, an account and an API key, and returns the server, the fake
// and the key.
func gatewayServer(t *testing.T) (*running, *openaitest.Server, string) {
	t.Helper()
	fake := openaitest.New(t, os.DirFS("../../gateway/openai/testdata"))
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cfgPath := filepath.Join(dir, "quire.yaml")
	cfg := fmt.Sprintf(`ai:
  providers:
    - name: main
      kind: openai
      base_url: %s
      api_key: sk-test-upstream
      zdr: true
      trains_on_data: false
      models: [chat_text, chat_stream, error_500, embed_float]
  aliases:
    chat: [main/error_500, main/chat_text]
`, fake.URL)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, data, "--config", cfgPath)
	c := client(t, data)
	jar, _ := cookiejar.New(nil)
	c.Jar = jar
	post := func(path string, body any) map[string]any {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, s.url+path, bytes.NewReader(b))
		// As the web app's pages would send it: automated clients may
		// not sign up.
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode >= 300 {
			t.Fatalf("POST %s: %d %v", path, resp.StatusCode, out)
		}
		return out
	}
	const pw = "a long gateway test passphrase 7"
	post("/api/v1/auth/signup", map[string]string{"email": "gw@example.com", "password": pw})
	outbox := filepath.Join(data, "outbox")
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		// Mail is delivered in the background: wait for the message
		// to be written whole.
		m, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
		if len(m) > 0 {
			if b, err := os.ReadFile(m[0]); err == nil && bytes.Contains(b, []byte("verify-email")) && bytes.HasSuffix(bytes.TrimSpace(b), []byte("--")) {
				break
			}
		}
	}
	post("/api/v1/auth/verify-email", map[string]string{"token": authtest.Token(t, outbox, "verify_email")})
	key, _ := post("/api/v1/api-keys", map[string]string{"name": "sdk", "password": pw})["key"].(string)
	if key == "" {
		t.Fatal("no API key")
	}
	return s, fake, key
}

// TestGatewayEndToEnd drives quire serve's gateway with the official
// OpenAI and Anthropic SDKs, against a fake OpenAI upstream, with canary
// markers in every prompt; once the server has stopped, no marker may be
// anywhere in its data directory, logs included (claims AI-2, AI-5).
func TestGatewayEndToEnd(t *testing.T) {
	s, fake, key := gatewayServer(t)
	hc := client(t, s.data)
	oc := openai.NewClient(option.WithBaseURL(s.url+"/v1/"), option.WithAPIKey(key), option.WithHTTPClient(hc), option.WithMaxRetries(0))
	ctx := context.Background()
	canary := "canary-" + strings.ReplaceAll(t.Name(), "/", "-") + "-7f3a9c"
	email := "ada.lovelace.canary@example.org"
	ask := func(model string) openai.ChatCompletionNewParams {
		return openai.ChatCompletionNewParams{Model: model, Messages: []openai.ChatCompletionMessageParamUnion{
			openai.UserMessage("Remember " + canary + " and mail " + email)},
			User: openai.String("user-" + canary), Metadata: openai.Metadata{"k": canary}}
	}

	// An alias whose first target fails over to the second.
	resp, err := oc.Chat.Completions.New(ctx, ask("chat"))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Choices[0].Message.Content; got != "Hello! How can I help you with your writing today?" {
		t.Fatalf("answer %q", got)
	}
	reqs := fake.Requests()
	if len(reqs) < 2 || reqs[0].Model != "error_500" || reqs[len(reqs)-1].Model != "chat_text" {
		t.Fatalf("upstream saw %d requests; want the 500 target first, then the fallback", len(reqs))
	}
	sent := reqs[len(reqs)-1]
	var body map[string]any
	if err := json.Unmarshal(sent.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body["store"] != false || body["user"] != nil || body["metadata"] != nil {
		t.Fatalf("upstream body keeps state: store=%v user=%v metadata=%v", body["store"], body["user"], body["metadata"])
	}
	if !bytes.Contains(sent.Body, []byte(canary)) || bytes.Contains(sent.Body, []byte(email)) || !bytes.Contains(sent.Body, []byte("[EMAIL_1]")) {
		t.Fatalf("upstream prompt: want the canary, and the email as a placeholder: %s", sent.Body)
	}
	if sent.Header.Get("Authorization") != "Bearer sk-test-upstream" {
		t.Fatal("the upstream did not get the provider's key")
	}

	// Streamed, with usage asked for.
	p := ask("chat_stream")
	p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	st := oc.Chat.Completions.NewStreaming(ctx, p)
	var acc openai.ChatCompletionAccumulator
	for st.Next() {
		acc.AddChunk(st.Current())
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(acc.Choices[0].Message.Content, "Hello!") || acc.Usage.TotalTokens == 0 {
		t.Fatalf("stream %q, usage %+v", acc.Choices[0].Message.Content, acc.Usage)
	}

	// An upstream failure: the client gets a 502, never the vendor's text.
	_, err = oc.Chat.Completions.New(ctx, ask("error_500"))
	var oe *openai.Error
	if !errors.As(err, &oe) || oe.StatusCode != http.StatusBadGateway {
		t.Fatalf("upstream 500: err %v, want a 502", err)
	}

	// An Anthropic client, served by the OpenAI model.
	ac := anthropic.NewClient(aoption.WithBaseURL(s.url+"/anthropic/"), aoption.WithAPIKey(key), aoption.WithHTTPClient(hc), aoption.WithMaxRetries(0))
	msg, err := ac.Messages.New(ctx, anthropic.MessageNewParams{Model: "chat_text", MaxTokens: 100,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Remember " + canary))}})
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Content) == 0 || msg.Content[0].Text != "Hello! How can I help you with your writing today?" {
		t.Fatalf("anthropic answer %+v", msg.Content)
	}
	wrong := anthropic.NewClient(aoption.WithBaseURL(s.url+"/anthropic/"), aoption.WithAPIKey("qk_wrong"), aoption.WithHTTPClient(hc), aoption.WithMaxRetries(0))
	if _, err := wrong.Messages.New(ctx, anthropic.MessageNewParams{Model: "chat_text", MaxTokens: 10, Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(canary))}}); err == nil {
		t.Fatal("a wrong x-api-key was accepted")
	}

	// Models list the alias and the provider's models.
	page, err := oc.Models.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, m := range page.Data {
		ids[m.ID] = true
	}
	if !ids["chat"] || !ids["chat_text"] {
		t.Fatalf("models %v", ids)
	}

	s.stop(t)
	scanForCanary(t, s.data, canary, email)
}

// scanForCanary fails if any file under dir holds one of the markers.
func scanForCanary(t *testing.T, dir string, markers ...string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, m := range markers {
			if bytes.Contains(b, []byte(m)) {
				t.Errorf("%s holds the prompt marker %q", path, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 3 {
		t.Fatalf("scanned only %d files", files)
	}
}
