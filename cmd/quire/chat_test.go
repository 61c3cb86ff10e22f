package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/quirehq/quire/gateway/openai/openaitest"
	"github.com/quirehq/quire/postgres/pgtest"
)

// TestChatEndToEnd drives the workspace of quire serve: a question in a
// conversation with the current note as context, answered by a fake
// OpenAI upstream through the gateway (the answer streams back; the
// provider sees the note and the question with personal data redacted);
// search finding a note just saved, and a question with the notes toggle
// carrying it; a file uploaded and downloaded whole. Once the server has
// stopped, no marker is anywhere in its data directory (claims AI-4,
// ENC-1).
func TestChatEndToEnd(t *testing.T) { workspaceEndToEnd(t, "", nil) }

// TestWorkspaceEndToEndPostgres runs the same on PostgreSQL, laid out as
// in production, and also scans a dump of the database for the markers.
func TestWorkspaceEndToEndPostgres(t *testing.T) {
	env := pgtest.New(t)
	t.Setenv("QUIRE_TEST_APP_URL", env.AppURL)
	t.Setenv("QUIRE_TEST_OWNER_URL", env.OwnerURL)
	workspaceEndToEnd(t, "database:\n  driver: postgres\n  url: ${QUIRE_TEST_APP_URL}\n  owner_url: ${QUIRE_TEST_OWNER_URL}\n",
		func(t *testing.T) []byte {
			out, err := exec.Command("pg_dump", "--data-only", env.Admin).Output()
			if err != nil {
				t.Fatalf("pg_dump: %v", err)
			}
			return out
		})
}

// workspaceEndToEnd is TestChatEndToEnd on the database of dbYAML (SQLite
// when empty); dump, if not nil, returns a dump of that database, which
// must not hold a marker either.
func workspaceEndToEnd(t *testing.T, dbYAML string, dump func(t *testing.T) []byte) {
	fake := openaitest.New(t, os.DirFS("../../gateway/openai/testdata"))
	s, key := gatewayServerWith(t, dbYAML+fmt.Sprintf(`ai:
  providers:
    - name: main
      kind: openai
      base_url: %s
      api_key: sk-test-upstream
      zdr: true
      trains_on_data: false
      models: [chat_stream, transcription]
workspace:
  chat:
    model: chat_stream
  voice:
    model: transcription
`, fake.URL))
	hc := client(t, s.data)
	canary := "canary-chat-5d1e0b"
	email := "grace.hopper.canary@example.org"
	call := func(method, path string, body any, accept string) *http.Response {
		var r io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			r = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, s.url+path, r)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", accept)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	decode := func(resp *http.Response, want int) map[string]any {
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d %v", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, out)
		}
		return out
	}
	note := decode(call(http.MethodPost, "/api/v1/notes", map[string]any{"title": "Launch " + canary,
		"content": "Mail " + email + " about the launch of " + canary + "."}, "application/json"), 201)["noteId"].(string)
	conv := decode(call(http.MethodPost, "/api/v1/chats", map[string]any{"title": "Plan " + canary}, "application/json"), 201)
	if conv["model"] != "chat_stream" {
		t.Fatalf("conversation %v", conv)
	}
	if models, _ := decode(call(http.MethodGet, "/api/v1/chats", nil, "application/json"), 200)["models"].([]any); len(models) == 0 || models[0] != "chat_stream" {
		t.Fatalf("the chat list offers models %v, want the configured chat model first", models)
	}
	resp := call(http.MethodPost, "/api/v1/chats/"+conv["conversationId"].(string)+"/messages", map[string]any{
		"content": "Whom do I mail about " + canary + "?", "context": map[string]any{"noteId": note}}, "text/event-stream")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("send answered %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var names []string
	var done map[string]any
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
			names = append(names, name)
		}
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok && names[len(names)-1] == "done" {
			_ = json.Unmarshal([]byte(data), &done)
		}
	}
	if len(names) < 4 || names[0] != "question" || names[1] != "sources" || names[2] != "delta" || done == nil ||
		done["status"] != "complete" || !strings.HasPrefix(done["content"].(string), "Hello!") {
		t.Fatalf("events %v, done %v", names, done)
	}
	reqs := fake.Requests()
	sent := reqs[len(reqs)-1].Body
	if !bytes.Contains(sent, []byte("Launch "+canary)) || !bytes.Contains(sent, []byte("Whom do I mail")) ||
		bytes.Contains(sent, []byte(email)) || !bytes.Contains(sent, []byte("[EMAIL_1]")) {
		t.Fatalf("the provider got: %s", sent)
	}

	// Search finds a note saved through the API, and a question with the
	// notes toggle on carries it to the provider.
	budget := decode(call(http.MethodPost, "/api/v1/notes", map[string]any{"title": "Budget " + canary,
		"content": "The launch budget is 40k-" + canary + "."}, "application/json"), 201)["noteId"].(string)
	found := decode(call(http.MethodGet, "/api/v1/search?q=budget", nil, "application/json"), 200)["results"].([]any)
	if len(found) != 1 || found[0].(map[string]any)["id"] != budget {
		t.Fatalf("search found %v", found)
	}
	ans := decode(call(http.MethodPost, "/api/v1/chats/"+conv["conversationId"].(string)+"/messages", map[string]any{
		"content": "What is the launch budget?", "context": map[string]any{"notes": true}}, "application/json"), 200)
	if src := ans["sources"].([]any); len(src) == 0 || src[0].(map[string]any)["id"] != budget {
		t.Fatalf("sources %v", ans["sources"])
	}
	if reqs = fake.Requests(); !bytes.Contains(reqs[len(reqs)-1].Body, []byte("40k-"+canary)) {
		t.Fatalf("the provider did not get the note that answers: %s", reqs[len(reqs)-1].Body)
	}

	// A file's name and bytes are stored encrypted, and come back whole.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("file", "minutes-"+canary+".txt")
	content := strings.Repeat("Minutes of the launch meeting, file-bytes-"+canary+".\n", 3000)
	_, _ = fw.Write([]byte(content))
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.url+"/api/v1/files", &form)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	up, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	file := decode(up, 201)
	get := call(http.MethodGet, "/api/v1/files/"+file["fileId"].(string)+"/content", nil, "*/*")
	got, _ := io.ReadAll(get.Body)
	if get.StatusCode != 200 || string(got) != content || !strings.HasPrefix(get.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("download: %d, %d bytes, %q", get.StatusCode, len(got), get.Header.Get("Content-Disposition"))
	}

	// A public link shows the note to anyone with it, not to be indexed.
	link := decode(call(http.MethodPost, "/api/v1/notes/"+budget+"/link", map[string]any{}, "application/json"), 201)["url"].(string)
	u, _ := url.Parse(link)
	preq, _ := http.NewRequest(http.MethodGet, s.url+u.Path, nil)
	// A browser: the bot policy lets automated clients read public links
	// only when they are verified search engines or link previews.
	preq.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
	preq.Header.Set("Accept", "text/html")
	preq.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	preq.Header.Set("Accept-Encoding", "gzip, deflate, br")
	page, err := hc.Do(preq)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != 200 || !bytes.Contains(html, []byte("40k-"+canary)) || !strings.Contains(page.Header.Get("X-Robots-Tag"), "noindex") {
		t.Fatalf("public link %s: %d %q", u.Path, page.StatusCode, page.Header.Get("X-Robots-Tag"))
	}

	// A voice note becomes an idea; the recording, not kept, is nowhere.
	var vform bytes.Buffer
	vw := multipart.NewWriter(&vform)
	aw, _ := vw.CreateFormFile("audio", "memo.wav")
	_, _ = aw.Write(append([]byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x10\x00\x00"),
		[]byte(strings.Repeat("voice-bytes-"+canary, 300))...))
	_ = vw.Close()
	vreq, _ := http.NewRequest(http.MethodPost, s.url+"/api/v1/voice-notes", &vform)
	vreq.Header.Set("Authorization", "Bearer "+key)
	vreq.Header.Set("Content-Type", vw.FormDataContentType())
	vresp, err := hc.Do(vreq)
	if err != nil {
		t.Fatal(err)
	}
	vn := decode(vresp, 201)
	if text, _ := vn["idea"].(map[string]any)["text"].(string); text == "" || vn["file"] != nil {
		t.Fatalf("voice note %v", vn)
	}
	// A folder shared with another account, which writes into it.
	shareEndToEnd(t, s, key, canary)
	s.stop(t)
	markers := []string{"voice-bytes-" + canary, canary, email, "Whom do I mail", "How can I help you with your writing", "launch budget", "Minutes of the launch"}
	scanForCanary(t, s.data, markers...)
	if dump != nil {
		d := dump(t)
		if !bytes.Contains(d, []byte(budget)) {
			t.Fatalf("the dump (%d bytes) lacks the note's ID: it is not a dump of this database", len(d))
		}
		for _, m := range markers {
			if bytes.Contains(d, []byte(m)) {
				t.Errorf("the database dump holds the marker %q", m)
			}
		}
	}
}
