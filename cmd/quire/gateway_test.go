package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/gateway/anthropic/anthropictest"
	"github.com/quirehq/quire/gateway/cohere/coheretest"
	"github.com/quirehq/quire/gateway/gemini/geminitest"
	"github.com/quirehq/quire/gateway/openai/openaitest"
	"github.com/quirehq/quire/internal/authtest"
)

// gatewayServer starts quire serve with one OpenAI provider on a fake
// upstream, an account and an API key, and returns the server, the fake
// and the key.
func gatewayServer(t *testing.T) (*running, *openaitest.Server, string) {
	t.Helper()
	fake := openaitest.New(t, os.DirFS("../../gateway/openai/testdata"))
	s, key := gatewayServerWith(t, fmt.Sprintf(`ai:
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
`, fake.URL))
	return s, fake, key
}

// gatewayServerWith starts quire serve with the configuration cfg, an
// account and an API key.
func gatewayServerWith(t *testing.T, cfg string) (*running, string) {
	t.Helper()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cfgPath := filepath.Join(dir, "quire.yaml")
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
		// Mail is delivered in the background, written to a temporary
		// file and then renamed to its final name.
		if m, _ := filepath.Glob(filepath.Join(outbox, "*-verify_email-*.eml")); len(m) > 0 {
			break
		}
	}
	post("/api/v1/auth/verify-email", map[string]string{"token": authtest.Token(t, outbox, "verify_email")})
	key, _ := post("/api/v1/api-keys", map[string]string{"name": "sdk", "password": pw})["key"].(string)
	if key == "" {
		t.Fatal("no API key")
	}
	return s, key
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

	// A refused key is answered in each client's own error shape.
	for _, tc := range []struct{ path, header, want string }{
		{"/v1/chat/completions", "Authorization", `"code":"invalid_api_key"`},
		{"/anthropic/v1/messages", "X-Api-Key", `"type":"authentication_error"`},
	} {
		req, _ := http.NewRequest(http.MethodPost, s.url+tc.path, strings.NewReader(`{}`))
		v := "qk_wrong"
		if tc.header == "Authorization" {
			v = "Bearer qk_wrong"
		}
		req.Header.Set(tc.header, v)
		req.Header.Set("Content-Type", "application/json")
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), tc.want) || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s with a wrong key: %d %s (Cache-Control %q)", tc.path, res.StatusCode, body, res.Header.Get("Cache-Control"))
		}
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

	// Who the key belongs to, for the usage records.
	req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var me struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		ID string `json:"id"`
	}
	_ = json.NewDecoder(res.Body).Decode(&me)
	res.Body.Close()
	userID := me.User.ID + me.ID

	s.stop(t)
	scanForCanary(t, s.data, canary, email)

	// Every attempt was metered and stored, metadata only (claim AI-2).
	a, err := openExisting(ctx, "", s.data, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	recs, err := a.stores.usage.ListUsage(ctx, userID, time.Now().Add(-time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	byModel := map[string][]*quire.AIUsage{}
	for _, r := range recs {
		byModel[r.Model] = append(byModel[r.Model], r)
	}
	ok := byModel["chat_text"]
	if len(ok) < 2 || ok[0].InputTokens == 0 || ok[0].Provider != "main" || ok[0].Status != http.StatusOK || !ok[0].Reported {
		t.Fatalf("usage of chat_text: %+v (all: %d records)", ok, len(recs))
	}
	if f := byModel["error_500"]; len(f) == 0 || f[0].Class != "server" || f[0].Status != http.StatusInternalServerError {
		t.Fatalf("usage of the failed attempts: %+v", f)
	}
	if ok[0].Alias != "chat" && ok[1].Alias != "chat" {
		t.Fatalf("the alias was not recorded: %+v", ok)
	}
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

// TestGatewayEveryRoute sends canary markers through every gateway route
// of quire serve, served by OpenAI, Gemini and Cohere fakes, on success and
// failure paths; once the server has stopped, no marker may be anywhere in
// its data directory (claims AI-2, AI-5).
func TestGatewayEveryRoute(t *testing.T) {
	oa := openaitest.New(t, os.DirFS("../../gateway/openai/testdata"))
	gm := geminitest.New(t, os.DirFS("../../gateway/gemini/testdata"))
	co := coheretest.New(t, os.DirFS("../../gateway/cohere/testdata"))
	s, key := gatewayServerWith(t, fmt.Sprintf(`ai:
  providers:
    - {name: main, kind: openai, base_url: %q, api_key: sk-oa, zdr: true, models: [embed_float, transcription, error_500]}
    - {name: gem, kind: gemini, base_url: %q, api_key: gm-key, zdr: true, models: [chat_text, chat_stream]}
    - {name: co, kind: cohere, base_url: %q, api_key: co-key, zdr: true, models: [rerank, error_500]}
  aliases:
    rr: [co/rerank]
`, oa.URL, gm.URL, co.URL))
	hc := client(t, s.data)
	ctx := context.Background()
	canary := "canary-every-route-5b1e"
	oc := openai.NewClient(option.WithBaseURL(s.url+"/v1/"), option.WithAPIKey(key), option.WithHTTPClient(hc), option.WithMaxRetries(0))

	// Chat on Gemini, streamed and not.
	msgs := []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Remember " + canary)}
	resp, err := oc.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "chat_text", Messages: msgs})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Message.Content != "Hello! How can I help you with your writing today?" {
		t.Fatalf("gemini answer %q", resp.Choices[0].Message.Content)
	}
	st := oc.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{Model: "chat_stream", Messages: msgs})
	n := 0
	for st.Next() {
		n++
	}
	if err := st.Err(); err != nil || n == 0 {
		t.Fatalf("gemini stream: %d chunks, %v", n, err)
	}
	if got := gm.Last(); got.Header.Get("X-Goog-Api-Key") != "gm-key" || strings.Contains(got.RawQuery, "gm-key") {
		t.Fatal("the Gemini key is not in its header only")
	}

	// Embeddings on OpenAI.
	emb, err := oc.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "embed_float",
		Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{canary + " one", canary + " two"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(emb.Data) != 2 {
		t.Fatalf("%d embeddings", len(emb.Data))
	}

	// Transcription on OpenAI, with a marker in the prompt.
	tr, err := oc.Audio.Transcriptions.New(ctx, openai.AudioTranscriptionNewParams{Model: "transcription", Prompt: openai.String(canary),
		File: openai.File(bytes.NewReader([]byte("RIFF\x24\x00\x00\x00WAVEfmt "+canary)), "memo.wav", "audio/wav")})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Text == "" {
		t.Fatal("empty transcript")
	}

	// Rerank on Cohere, through an alias, and its failure.
	rerank := func(model string) (int, map[string]any) {
		body := fmt.Sprintf(`{"model":%q,"query":"%s q","documents":["%s a","b","c","d","e"],"return_documents":true}`, model, canary, canary)
		req, _ := http.NewRequest(http.MethodPost, s.url+"/v1/rerank", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	if status, out := rerank("rr"); status != 200 || len(out["results"].([]any)) != 5 {
		t.Fatalf("rerank: %d %v", status, out)
	}
	if status, _ := rerank("error_500"); status != http.StatusBadGateway {
		t.Fatalf("rerank upstream 500: %d, want 502", status)
	}
	// Failures on the other routes.
	if _, err := oc.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "error_500",
		Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String(canary)}}); err == nil {
		t.Fatal("an upstream 500 on embeddings succeeded")
	}
	if _, err := oc.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "no-such-model", Messages: msgs}); err == nil {
		t.Fatal("an unknown model was served")
	}

	s.stop(t)
	scanForCanary(t, s.data, canary)
}

// TestGatewayTranslates serves an OpenAI client from an Anthropic model,
// tool calls and streaming included, through quire serve.
func TestGatewayTranslates(t *testing.T) {
	an := anthropictest.New(t, os.DirFS("../../gateway/anthropic/testdata"))
	s, key := gatewayServerWith(t, fmt.Sprintf(`ai:
  providers:
    - {name: claude, kind: anthropic, base_url: %q, api_key: sk-ant-test, zdr: true, models: [stream_tools, messages_tools]}
`, an.URL))
	oc := openai.NewClient(option.WithBaseURL(s.url+"/v1/"), option.WithAPIKey(key), option.WithHTTPClient(client(t, s.data)), option.WithMaxRetries(0))
	tool := openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{Name: "search_notes",
		Parameters: openai.FunctionParameters{"type": "object", "properties": map[string]any{"query": map[string]any{"type": "string"}}}})
	params := openai.ChatCompletionNewParams{Model: "stream_tools", Tools: []openai.ChatCompletionToolUnionParam{tool},
		Messages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("Be brief."), openai.UserMessage("Find my autumn notes")}}
	st := oc.Chat.Completions.NewStreaming(context.Background(), params)
	var acc openai.ChatCompletionAccumulator
	for st.Next() {
		acc.AddChunk(st.Current())
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	msg := acc.Choices[0].Message
	if msg.Content != "I'll search your notes and open the folder." || len(msg.ToolCalls) != 3 || acc.Choices[0].FinishReason != "tool_calls" {
		t.Fatalf("translated stream: %q, %d tool calls, finish %q", msg.Content, len(msg.ToolCalls), acc.Choices[0].FinishReason)
	}
	if c := msg.ToolCalls[0]; c.ID != "toolu_01A09q90qw90lq917835lq9" || c.Function.Name != "search_notes" || c.Function.Arguments != `{"query": "autumn", "limit": 5}` {
		t.Fatalf("first tool call %+v", c)
	}
	if acc.Usage.TotalTokens != 0 {
		t.Fatalf("usage sent to a client that did not ask for it: %+v", acc.Usage)
	}
	// The Anthropic request was built from the OpenAI one.
	var sent map[string]any
	if err := json.Unmarshal(an.Last().Body, &sent); err != nil {
		t.Fatal(err)
	}
	if sent["system"] == nil || sent["max_tokens"] == nil || sent["stream"] != true || len(sent["tools"].([]any)) != 1 {
		t.Fatalf("upstream Anthropic request %s", an.Last().Body)
	}
	if an.Last().Header.Get("X-Api-Key") != "sk-ant-test" {
		t.Fatal("the Anthropic key was not sent as x-api-key")
	}
}

// TestGatewayWorkspacePolicy: a provider without a zero-data-retention
// agreement serves a workspace only once its owner opts out, and the
// owner can turn redaction off; both take effect at once.
func TestGatewayWorkspacePolicy(t *testing.T) {
	oa := openaitest.New(t, os.DirFS("../../gateway/openai/testdata"))
	s, key := gatewayServerWith(t, fmt.Sprintf(`ai:
  providers:
    - {name: cheap, kind: openai, base_url: %q, api_key: sk-x, zdr: false, models: [chat_text]}
`, oa.URL))
	hc := client(t, s.data)
	call := func(method, path, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, s.url+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	const chat = `{"model":"chat_text","messages":[{"role":"user","content":"mail ada@example.com"}]}`
	if status, out := call(http.MethodPost, "/v1/chat/completions", chat); status != http.StatusForbidden {
		t.Fatalf("a non-ZDR provider served a workspace that did not opt out: %d %v", status, out)
	}
	if len(oa.Requests()) != 0 {
		t.Fatal("the request reached the provider")
	}
	_, list := call(http.MethodGet, "/api/v1/workspaces", "")
	ws := list["workspaces"].([]any)[0].(map[string]any)["id"].(string)
	if status, out := call(http.MethodPut, "/api/v1/workspaces/"+ws+"/ai-policy", `{"allowNonZdr":true,"redactionOff":true}`); status != 200 {
		t.Fatalf("PUT ai-policy: %d %v", status, out)
	}
	if status, out := call(http.MethodPost, "/v1/chat/completions", chat); status != 200 {
		t.Fatalf("after opting out: %d %v", status, out)
	}
	if body := oa.Last().Body; !bytes.Contains(body, []byte("ada@example.com")) {
		t.Fatalf("redaction is off for the workspace, yet the provider got %s", body)
	}
	// Back to the default: refused again at once.
	call(http.MethodPut, "/api/v1/workspaces/"+ws+"/ai-policy", `{}`)
	if status, _ := call(http.MethodPost, "/v1/chat/completions", chat); status != http.StatusForbidden {
		t.Fatalf("after opting back in: %d, want 403", status)
	}
}
