package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/quirehq/quire/gateway/openai/openaitest"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/internal/browsertest"
)

// TestWebAppJourney is issue 7's journey through the web app of a real
// `quire serve`, in Debian's chromium: a new user signs up, confirms the
// address from the email, signs in, writes a note and watches it save,
// finds it again after a reload and through the search overlay, asks the
// chat about it (a fake AI upstream streams the answer; the sources
// show), shares its folder with a second user (another browser profile)
// who accepts the emailed invitation and sees the note read-only (an
// invitation to a wrong address is revoked on the way); given edit
// access, the second user finds the note editable, then leaves the
// share. The first user saves a privacy choice, exports the account as a
// zip holding the note, and deletes the account. Every page must load
// without a CSP violation or a console error, and the watch on the
// console is shown to see one. Screenshots of the main screens go to a temporary
// directory, and with QUIRE_SCREENSHOTS=1 to docs/screenshots as well.
func TestWebAppJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and a browser")
	}
	exec := browsertest.Path(t)
	gate := make(chan struct{})
	var gateOnce sync.Once
	release := func() { gateOnce.Do(func() { close(gate) }) }
	t.Cleanup(release)
	fake := openaitest.New(t, os.DirFS("../../gateway/openai/testdata"))
	fake.Handle("chat_stream", gatedChat(gate))
	s := appServer(t, fake.URL)

	shots := t.TempDir()
	owner := newPerson(t, "owner", exec, s, shots)
	owner.email, owner.password = "ada@example.org", "a long journey passphrase for Ada 61"

	owner.signUp()
	owner.verify()
	owner.signOutAndIn()
	folder := owner.newFolder("Launch plans")
	note := owner.writeNote("Launch budget", "The launch budget is 40k kroner, kept for the harbourfest.")
	owner.reloadAndFind(note, "Launch budget", "harbourfest")
	owner.search("harbourfest", note)
	owner.chat("What is the launch budget?", "Launch budget", fake, release)

	partner := owner.newPersonInBrowser("partner")
	partner.email, partner.password = "grace@example.org", "a long journey passphrase for Grace 62"
	owner.share(folder, partner.email)
	partner.signUp()
	partner.verify()
	partner.acceptInvitation()
	partner.readShared("Launch plans", note, "harbourfest")
	owner.shareAccepted(folder, partner.email)
	partner.writeShared(note)
	partner.leave("Launch plans")

	owner.privacy()
	owner.export("Launch budget", "harbourfest")
	owner.deleteAccount()
	owner.checkConsoleWatch()

	if os.Getenv("QUIRE_SCREENSHOTS") == "1" {
		copyScreenshots(t, shots, filepath.Join("..", "..", "docs", "screenshots"))
	}
}

// appServer starts `quire serve` with the fake OpenAI upstream at
// upstream as its only provider, and headless browsers let through the
// bot policy (they are denied by default), and waits for its first trust
// run, which probes the same loopback address's limits.
func appServer(t *testing.T, upstream string) *running {
	t.Helper()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cfg := filepath.Join(dir, "quire.yaml")
	yaml := fmt.Sprintf(`ai:
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
bots:
  allow_headless: true
`, upstream)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, data, "--config", cfg)
	waitForTrustReport(t, s)
	return s
}

// gatedChat answers a streamed chat completion in OpenAI's format: the
// first words at once, the rest once gate is closed, so that the browser
// is seen showing an answer half written. A request that is not streamed
// gets the whole answer as one completion.
func gatedChat(gate <-chan struct{}) http.HandlerFunc {
	const first, rest = "Hello! ", "Your notes put the launch budget at 40k kroner."
	chunk := func(delta map[string]any, finish any) string {
		b, _ := json.Marshal(map[string]any{"id": "chatcmpl-journey", "object": "chat.completion.chunk", "created": 1760433165,
			"model": "chat_stream", "choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}})
		return "data: " + string(b) + "\n\n"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Stream bool `json:"stream"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &req)
		if !req.Stream {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"id": "chatcmpl-journey", "object": "chat.completion", "created": 1760433165,
				"model": "chat_stream", "choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
					"message": map[string]any{"role": "assistant", "content": first + rest}}},
				"usage": map[string]any{"prompt_tokens": 10, "completion_tokens": 12, "total_tokens": 22}})
			return
		}
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		flush := func(s string) {
			_, _ = io.WriteString(w, s)
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
		}
		flush(chunk(map[string]any{"role": "assistant", "content": ""}, nil))
		flush(chunk(map[string]any{"content": first}, nil))
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		case <-time.After(2 * time.Minute):
		}
		flush(chunk(map[string]any{"content": rest}, nil))
		flush(chunk(map[string]any{}, "stop"))
		usage, _ := json.Marshal(map[string]any{"id": "chatcmpl-journey", "object": "chat.completion.chunk", "created": 1760433165,
			"model": "chat_stream", "choices": []any{}, "usage": map[string]any{"prompt_tokens": 10, "completion_tokens": 12, "total_tokens": 22}})
		flush("data: " + string(usage) + "\n\n")
		flush("data: [DONE]\n\n")
	}
}

// person is one user in their own browser profile.
type person struct {
	t               *testing.T
	name            string
	s               *running
	ctx             context.Context
	tab             context.Context // the tab's context, without the time limit
	console         *appConsole
	shots           string
	email, password string
}

// stepTime bounds each step, so that an element that never shows fails
// the test in good time.
const stepTime = 45 * time.Second

// journeyTime bounds each person's time in the browser: the journey is
// long and the machines that run it are shared.
const journeyTime = 8 * time.Minute

// newPerson starts chromium with a fresh profile for the first person.
func newPerson(t *testing.T, name, exec string, s *running, shots string) *person {
	t.Helper()
	tabCtx := browsertest.Start(t, exec, browsertest.Options{Width: 1280, Height: 800, Flags: map[string]any{"lang": "en-GB"}})
	return startPerson(t, name, s, shots, tabCtx)
}

// newPersonInBrowser opens a second person in the same browser, in a
// browser context of their own: no cookie or storage is shared.
func (p *person) newPersonInBrowser(name string) *person {
	p.t.Helper()
	tabCtx, cancel := chromedp.NewContext(p.tab, chromedp.WithNewBrowserContext())
	p.t.Cleanup(cancel)
	return startPerson(p.t, name, p.s, p.shots, tabCtx)
}

// startPerson starts watching the console of the tab and sizes its
// viewport for the screenshots.
func startPerson(t *testing.T, name string, s *running, shots string, tabCtx context.Context) *person {
	t.Helper()
	ctx, cancel := context.WithTimeout(tabCtx, journeyTime)
	t.Cleanup(cancel)
	p := &person{t: t, name: name, s: s, ctx: ctx, tab: tabCtx, shots: shots}
	p.console = watchAppConsole(t, ctx)
	p.do("size the window", chromedp.EmulateViewport(1280, 800))
	return p
}

// do runs browser steps and fails the test at the first that fails.
func (p *person) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTime)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %s: %v\n%s", p.name, what, err, p.state())
	}
}

// state describes the page for a failure: where it is, what has focus,
// what it says, and what the console said.
func (p *person) state() string {
	ctx, cancel := context.WithTimeout(p.tab, 5*time.Second)
	defer cancel()
	page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](
		`location.pathname + location.search + "\nfocus: " + (document.activeElement ? document.activeElement.tagName + "#" + document.activeElement.id : "") + "\n" + document.body.innerText.slice(0, 3000)`))
	return "page: " + page + "\nbrowser console:\n" + p.console.String()
}

// wait polls a JavaScript expression until it is truthy.
func (p *person) wait(what, expr string) {
	p.t.Helper()
	p.waitFor(what, expr, 30*time.Second)
}

// waitFor is wait with a time limit of d.
func (p *person) waitFor(what, expr string, d time.Duration) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(d))); err != nil {
		p.t.Fatalf("%s: %s: %v\n%s", p.name, what, err, p.state())
	}
}

// eval evaluates a JavaScript expression in the person's page.
func eval[T any](p *person, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("%s: evaluate %q: %v\n%s", p.name, expr, err, p.state())
	}
	return v
}

// open navigates to path and waits for the element with the id.
func (p *person) open(path, id string) {
	p.t.Helper()
	p.do("open "+path, chromedp.Navigate(p.s.url+path), chromedp.WaitVisible(chromedp.ID(id)))
	p.clean(path)
}

// waitPath waits for the browser to leave the page at path, and for the
// page it goes to to load.
func (p *person) waitPath(what, path string) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		loc, err := chromedp.Run(p.ctx, chromedp.Location())
		if u, perr := url.Parse(loc); err == nil && perr == nil && u.Path != path {
			if ready, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.readyState`)); err == nil && ready == "complete" {
				return
			}
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: %s: still on %s after 30s\n%s", p.name, what, path, p.state())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// path is the path and query of the page the browser shows.
func (p *person) path() string {
	p.t.Helper()
	loc, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		p.t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		p.t.Fatal(err)
	}
	return u.RequestURI()
}

// text is the trimmed text of the element with the id.
func (p *person) text(id string) string {
	p.t.Helper()
	return strings.TrimSpace(eval[string](p, `(document.getElementById(`+jsString(id)+`) || {}).textContent || ""`))
}

// submit clicks the submit button of the form with the id and waits for
// the element with the id next on the page it leads to.
func (p *person) submit(form, next string) {
	p.t.Helper()
	p.do("submit #"+form, chromedp.Click(chromedp.CSS("#"+form+" button[type=submit]")), chromedp.WaitVisible(chromedp.ID(next)))
	p.clean(p.path())
}

// clean fails the test if the page reported a CSP violation or an error
// since the last check: it is called on every page the journey reaches.
func (p *person) clean(where string) {
	p.t.Helper()
	if bad := p.console.problems(); len(bad) > 0 {
		p.t.Errorf("%s: on %s the browser reported %d CSP violations or errors:\n%s", p.name, where, len(bad), strings.Join(bad, "\n"))
	}
}

// shot saves a screenshot of the viewport as name.png.
func (p *person) shot(name string) {
	p.t.Helper()
	// Let fonts and transitions settle first.
	p.do("settle", chromedp.Sleep(300*time.Millisecond))
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("%s: screenshot %s: %v", p.name, name, err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		p.t.Fatalf("%s: screenshot %s is not a PNG", p.name, name)
	}
	if err := os.WriteFile(filepath.Join(p.shots, name+".png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// linkLine finds a link on a line of its own, as the text part of every
// email carries it.
var linkLine = regexp.MustCompile(`(?m)^(https?://[^\s<>"]+)\r?$`)

// link waits for an email of kind to the person's address and returns
// the link of the newest.
func (p *person) link(kind string) *url.URL {
	p.t.Helper()
	outbox := filepath.Join(p.s.data, "outbox")
	to := regexp.MustCompile(`(?mi)^To:.*` + regexp.QuoteMeta(p.email))
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		files := authtest.Files(p.t, outbox, kind)
		for i := len(files) - 1; i >= 0; i-- {
			b, err := os.ReadFile(files[i])
			if err != nil || !to.Match(b) {
				continue
			}
			m := linkLine.FindSubmatch(b)
			if m == nil {
				p.t.Fatalf("%s: no link on a line of its own in the %s email", p.name, kind)
			}
			u, err := url.Parse(string(m[1]))
			if err != nil {
				p.t.Fatalf("%s: the link of the %s email: %v", p.name, kind, err)
			}
			return u
		}
	}
	p.t.Fatalf("%s: no %s email to %s within 20s", p.name, kind, p.email)
	return nil
}

// signUp creates the account on the sign-up page.
func (p *person) signUp() {
	p.t.Helper()
	p.open("/signup", "signup-form")
	p.do("fill in the sign-up form", chromedp.SendKeys(chromedp.ID("email"), p.email),
		chromedp.SendKeys(chromedp.ID("password"), p.password))
	p.wait("the strength meter answers", `document.getElementById("password-strength").textContent.startsWith("Strength: ")`)
	p.do("create the account", chromedp.Click(chromedp.CSS("#signup-form button[type=submit]")))
	p.waitPath("signed up", "/signup")
	p.clean(p.path())
}

// verify opens the link of the verification email and confirms.
func (p *person) verify() {
	p.t.Helper()
	link := p.link("verify_email")
	p.open(link.RequestURI(), "verify-form")
	p.submit("verify-form", "email-verified")
	if got := p.text("notice"); got != "Thank you: your email address is confirmed." {
		p.t.Errorf("%s: after verifying: notice %q", p.name, got)
	}
}

// signOutAndIn signs out from the account page and in again on the
// sign-in page, then opens the app.
func (p *person) signOutAndIn() {
	p.t.Helper()
	p.open("/account", "sign-out")
	p.do("sign out", chromedp.Click(chromedp.ID("sign-out")), chromedp.WaitVisible(chromedp.ID("login-form")))
	if got := p.text("notice"); got != "You are signed out." {
		p.t.Errorf("%s: after signing out: notice %q", p.name, got)
	}
	p.clean("/login (signed out)")
	p.do("fill in the sign-in form", chromedp.SendKeys(chromedp.ID("email"), p.email),
		chromedp.SendKeys(chromedp.ID("password"), p.password))
	p.do("sign in", chromedp.Click(chromedp.CSS("#login-form button[type=submit]")))
	p.waitPath("signed in", "/login")
	p.clean(p.path())
	p.open("/app", "note-list")
	p.wait("the workspace loads", `document.getElementById("new-note") && document.getElementById("new-folder")`)
}

// newFolder creates a folder from the sidebar and returns its ID; the app
// selects it.
func (p *person) newFolder(name string) string {
	p.t.Helper()
	p.do("ask for a new folder", chromedp.Click(chromedp.ID("new-folder")), chromedp.WaitVisible(chromedp.ID("folder-name-input")),
		chromedp.SendKeys(chromedp.ID("folder-name-input"), name+"\r"))
	p.wait("the folder is made and chosen", `(() => { const r = document.querySelector("#sidebar li.folder-row.selected[data-folder-id]");
		return r && r.textContent.includes(`+jsString(name)+`); })()`)
	id := eval[string](p, `document.querySelector("#sidebar li.folder-row.selected[data-folder-id]").dataset.folderId`)
	p.clean("/app (new folder)")
	return id
}

// statusWatch records every text #save-status shows, in
// window.quireStatuses, for the test to read.
const statusWatch = `(() => {
	const el = document.getElementById("save-status");
	window.quireStatuses = [el.textContent.trim()];
	new MutationObserver(() => window.quireStatuses.push(el.textContent.trim()))
		.observe(el, {childList: true, characterData: true, subtree: true});
	return true;
})()`

// writeNote makes a note in the chosen folder, types its title and body,
// and sees it autosave ("Saving…", then "Saved"); the server then holds
// what was typed. It returns the note's ID.
func (p *person) writeNote(title, body string) string {
	p.t.Helper()
	p.do("new note", chromedp.Click(chromedp.ID("new-note")), chromedp.WaitVisible(chromedp.CSS("#note-body .ProseMirror")))
	p.wait("the note's address", `/^\/app\/notes\/[A-Za-z0-9_-]+$/.test(location.pathname)`)
	id := strings.TrimPrefix(eval[string](p, `location.pathname`), "/app/notes/")
	p.wait("the status line", `document.getElementById("save-status") !== null`)
	eval[bool](p, statusWatch)
	p.do("type the title", chromedp.Click(chromedp.ID("note-title")), chromedp.KeyEvent(title))
	p.do("type the body", chromedp.Click(chromedp.CSS("#note-body .ProseMirror")), chromedp.KeyEvent(body))
	p.wait("Saving… shown", `window.quireStatuses.includes("Saving…")`)
	p.wait("Saved shown", `document.getElementById("save-status").textContent.trim() === "Saved"`)
	got := eval[map[string]any](p, `fetch("/api/v1/notes/`+id+`", {headers: {Accept: "application/json"}}).then((r) => r.json())`)
	if got["title"] != title || !strings.Contains(fmt.Sprint(got["content"]), body) {
		p.t.Fatalf("%s: the server holds %v after the autosave", p.name, got)
	}
	if statuses := eval[[]string](p, `window.quireStatuses`); statuses[len(statuses)-1] != "Saved" {
		p.t.Errorf("%s: the status line showed %q", p.name, statuses)
	}
	p.clean("/app/notes/" + id)
	return id
}

// reloadAndFind reloads the page, then opens the workspace afresh and the
// note from the note list.
func (p *person) reloadAndFind(id, title, word string) {
	p.t.Helper()
	row := `#note-list li[data-note-id="` + id + `"]`
	p.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(row)))
	p.wait("the note is open after the reload", `document.getElementById("note-title").value === `+jsString(title)+` &&
		document.querySelector("#note-body .ProseMirror").textContent.includes(`+jsString(word)+`)`)
	p.clean("/app/notes/" + id + " (reloaded)")
	p.open("/app", "note-list")
	p.do("open the note from the list", chromedp.WaitVisible(chromedp.CSS(row+" .note-open")), chromedp.Click(chromedp.CSS(row+" .note-open")))
	p.wait("the note opens", `document.getElementById("note-title").value === `+jsString(title)+` &&
		document.querySelector("#note-body .ProseMirror").textContent.includes(`+jsString(word)+`) &&
		document.getElementById("save-status").textContent.trim() !== "Read-only"`)
	if got := p.text("note-list"); !strings.Contains(got, title) {
		p.t.Errorf("%s: the note list shows %q", p.name, got)
	}
	p.clean("/app (note list)")
	p.shot("workspace")
}

// search opens the overlay with Ctrl+/, finds the note by a word of its
// body, with a score, and opens it with Enter.
func (p *person) search(word, id string) {
	p.t.Helper()
	p.do("blur the editor", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`))
	p.do("press Ctrl+/", chromedp.KeyEvent("/", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(chromedp.ID("search-overlay")), chromedp.WaitVisible(chromedp.ID("search-input")))
	p.wait("the search box has focus", `document.activeElement === document.getElementById("search-input")`)
	p.do("type the query", chromedp.KeyEvent(word))
	hit := `#search-results li[data-note-id="` + id + `"]`
	p.wait("the note is found", `document.querySelector(`+jsString(hit)+`) !== null`)
	if score := eval[string](p, `(document.querySelector(`+jsString(hit+" .search-score")+`) || {}).textContent || ""`); strings.TrimSpace(score) == "" {
		p.t.Errorf("%s: the hit shows no score", p.name)
	}
	p.clean("/app (search)")
	p.shot("search")
	p.do("open the first hit", chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter))
	p.wait("the overlay closes on the note", `document.getElementById("search-overlay").hidden !== false || !document.getElementById("search-overlay").checkVisibility()`)
	p.wait("the note is open", `location.pathname === "/app/notes/`+id+`"`)
	p.clean("/app (search closed)")
}

// chat asks the chat panel a question with the notes toggle on, sees the
// answer arrive in two parts while the stop button shows, then the
// sources naming the note, and the note's text in what the upstream was
// sent.
func (p *person) chat(question, title string, fake *openaitest.Server, release func()) {
	p.t.Helper()
	p.do("open the chat", chromedp.Click(chromedp.ID("open-chat")), chromedp.WaitVisible(chromedp.ID("chat-input")))
	p.wait("the models load", `document.getElementById("chat-model").options.length > 0`)
	if !eval[bool](p, `document.getElementById("ctx-notes").checked`) {
		p.do("answer from the notes", chromedp.Click(chromedp.ID("ctx-notes")))
	}
	p.do("ask", chromedp.SendKeys(chromedp.ID("chat-input"), question), chromedp.Click(chromedp.ID("chat-send")))
	answer := `Array.from(document.querySelectorAll("#chat-messages .chat-message.assistant")).pop()`
	p.wait("the first words stream in", answer+` && `+answer+`.textContent.includes("Hello!")`)
	if eval[bool](p, answer+`.textContent.includes("40k kroner")`) {
		p.t.Fatalf("%s: the answer showed whole before the upstream sent its end", p.name)
	}
	p.wait("the stop button shows while it streams", `(() => { const b = document.getElementById("chat-stop"); return b && !b.hidden && !b.disabled; })()`)
	release()
	p.wait("the whole answer", answer+`.textContent.includes("Your notes put the launch budget at 40k kroner.")`)
	p.wait("the sources", `Array.from(document.querySelectorAll("#chat-messages .chat-sources li a")).some((a) => a.textContent.includes(`+jsString(title)+`))`)
	p.wait("the answer ends", `document.getElementById("chat-stop").hidden`)
	if n := eval[int](p, `document.querySelectorAll("#chat-messages .chat-save-note").length`); n == 0 {
		p.t.Errorf("%s: no Save as note button on the answer", p.name)
	}
	var sent bool
	for _, r := range fake.Requests() {
		if bytes.Contains(r.Body, []byte("harbourfest")) && bytes.Contains(r.Body, []byte("launch budget")) {
			sent = true
		}
	}
	if !sent {
		p.t.Errorf("%s: the upstream was never sent the note with the question", p.name)
	}
	p.clean("/app (chat)")
	p.shot("chat")
	p.do("close the panel", chromedp.Click(chromedp.CSS("#side-panel .panel-close")))
}

// share invites email to read the folder from the share dialog.
func (p *person) share(folder, email string) {
	p.t.Helper()
	p.open("/app", "sidebar")
	row := `#sidebar li[data-folder-id="` + folder + `"]`
	p.do("open the share dialog", chromedp.WaitVisible(chromedp.CSS(row)), chromedp.Click(chromedp.CSS(row+` [data-action="share"]`)),
		chromedp.WaitVisible(chromedp.ID("share-dialog")))
	if tag := eval[string](p, `document.getElementById("share-dialog").tagName + " " + document.getElementById("share-dialog").open`); tag != "DIALOG true" {
		p.t.Errorf("%s: #share-dialog is %s", p.name, tag)
	}
	p.wait("the email field has focus", `document.activeElement === document.getElementById("share-email")`)
	// An address that is not one is refused in the dialog.
	p.do("give a bad address", chromedp.KeyEvent("not an address"), chromedp.Click(chromedp.ID("share-submit")))
	p.wait("the dialog says what is wrong", `document.getElementById("share-error").textContent.trim() !== ""`)
	p.do("give the address", chromedp.Evaluate[chromedp.Void](`document.getElementById("share-email").value = ""`),
		chromedp.KeyEvent(email), chromedp.SetValue(chromedp.ID("share-permission"), "read"),
		chromedp.Click(chromedp.ID("share-submit")))
	p.wait("the invitation is listed", `Array.from(document.querySelectorAll("#share-list li[data-share-id]")).some((li) =>
		li.textContent.includes(`+jsString(email)+`) && li.textContent.includes("invited") && li.querySelector("select").value === "read")`)
	if got := p.text("share-error"); got != "" {
		p.t.Errorf("%s: the share dialog still shows %q", p.name, got)
	}
	// An invitation sent to the wrong address is revoked from the list.
	const wrong = "wrong.address@example.org"
	p.do("invite a wrong address", chromedp.KeyEvent(wrong), chromedp.Click(chromedp.ID("share-submit")))
	mistake := `Array.from(document.querySelectorAll("#share-list li[data-share-id]")).find((li) => li.textContent.includes(` + jsString(wrong) + `))`
	p.wait("the wrong invitation is listed", mistake+` !== undefined`)
	p.do("revoke it", chromedp.Evaluate[chromedp.Void](mistake+`.querySelector('[data-action="revoke"]').click()`))
	p.wait("the revoked invitation is gone", mistake+` === undefined`)
	shares := eval[map[string]any](p, `fetch("/api/v1/folders/`+folder+`/shares", {headers: {Accept: "application/json"}}).then((r) => r.json())`)
	if list, _ := shares["shares"].([]any); len(list) != 1 || list[0].(map[string]any)["email"] != email {
		p.t.Errorf("%s: after revoking, the folder's shares are %v", p.name, shares)
	}
	p.clean("/app (share dialog)")
	p.do("close the dialog", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotPresent(chromedp.ID("share-dialog")))
}

// shareAccepted reopens the share dialog, which now shows the share as
// accepted, and closes it with Done.
func (p *person) shareAccepted(folder, email string) {
	p.t.Helper()
	p.open("/app", "sidebar")
	row := `#sidebar li[data-folder-id="` + folder + `"]`
	p.do("open the share dialog", chromedp.WaitVisible(chromedp.CSS(row)), chromedp.Click(chromedp.CSS(row+` [data-action="share"]`)),
		chromedp.WaitVisible(chromedp.ID("share-dialog")))
	p.wait("the share is accepted", `Array.from(document.querySelectorAll("#share-list li[data-share-id]")).some((li) =>
		li.textContent.includes(`+jsString(email)+`) && li.textContent.includes("accepted"))`)
	p.clean("/app (share dialog, accepted)")
	p.shot("share-dialog")
	row = `Array.from(document.querySelectorAll("#share-list li[data-share-id]")).find((li) => li.textContent.includes(` + jsString(email) + `))`
	p.do("let them edit", chromedp.Evaluate[chromedp.Void](`(() => { const s = `+row+`.querySelector("select");
		s.value = "write"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`))
	p.wait("the share lets them edit", `(() => { const li = `+row+`; const s = li && li.querySelector("select"); return s && s.value === "write" && !s.disabled; })()`)
	p.clean("/app (share dialog, write)")
	p.do("close the dialog", chromedp.Click(chromedp.ID("share-close")), chromedp.WaitNotPresent(chromedp.ID("share-dialog")))
}

// writeShared reloads the shared note, which the owner now lets them
// edit: the editor is editable.
func (p *person) writeShared(id string) {
	p.t.Helper()
	p.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#note-body .ProseMirror")))
	p.wait("the note is editable", `document.querySelector("#note-body .ProseMirror").getAttribute("contenteditable") === "true" &&
		document.getElementById("save-status").textContent.trim() !== "Read-only"`)
	p.clean("/app/notes/" + id + " (shared, write)")
}

// leave leaves the shared folder from the shared-with-me view: it is no
// longer listed, and the API no longer lists it either.
func (p *person) leave(folderName string) {
	p.t.Helper()
	p.open("/app", "open-shared")
	p.do("open shared with me", chromedp.Click(chromedp.ID("open-shared")), chromedp.WaitVisible(chromedp.ID("shared-view")))
	share := `#shared-view li[data-share-id]`
	p.wait("the shared folder is listed", `document.querySelector(`+jsString(share)+`) !== null`)
	// At a phone's width the view takes the whole width, and nothing
	// overflows it sideways.
	p.do("a phone's width", chromedp.EmulateViewport(390, 800))
	p.wait("the view fits a phone", `(() => { const v = document.getElementById("shared-view").getBoundingClientRect();
		return v.width > 350 && v.right <= innerWidth && document.documentElement.scrollWidth <= innerWidth; })()`)
	p.do("back to a desktop's width", chromedp.EmulateViewport(1280, 800))
	p.do("leave it", chromedp.Click(chromedp.CSS(share+` [data-action="leave"]`)), chromedp.WaitVisible(chromedp.ID("leave-dialog")),
		chromedp.Click(chromedp.CSS("#leave-dialog button.danger")))
	p.wait("the folder is gone", `document.querySelector(`+jsString(share)+`) === null &&
		document.querySelector("#shared-view .shared-status").textContent.includes("Nothing is shared with you")`)
	shared := eval[map[string]any](p, `fetch("/api/v1/shared", {headers: {Accept: "application/json"}}).then((r) => r.json())`)
	if list, _ := shared["folders"].([]any); len(list) != 0 {
		p.t.Errorf("%s: after leaving %s the API lists %v", p.name, folderName, shared)
	}
	p.clean("/app (left the share)")
}

// acceptInvitation opens the link of the invitation email and accepts it.
func (p *person) acceptInvitation() {
	p.t.Helper()
	link := p.link("folder_invite")
	p.open(link.RequestURI(), "invite-form")
	p.submit("invite-form", "notice")
	if got := p.text("notice"); got != "The folder is now shared with you." {
		p.t.Errorf("%s: after accepting: notice %q", p.name, got)
	}
}

// readShared opens the shared-with-me view, the folder, and the note in
// it: the editor shows it read-only.
func (p *person) readShared(folderName, id, word string) {
	p.t.Helper()
	p.open("/app", "open-shared")
	p.do("open shared with me", chromedp.Click(chromedp.ID("open-shared")), chromedp.WaitVisible(chromedp.ID("shared-view")))
	share := `#shared-view li[data-share-id]`
	p.wait("the shared folder is listed", `Array.from(document.querySelectorAll(`+jsString(share)+`)).some((li) =>
		li.textContent.includes(`+jsString(folderName)+`) && li.textContent.includes("ada@example.org") && li.textContent.includes("read-only"))`)
	p.do("open the folder", chromedp.Click(chromedp.CSS(share+" .shared-open-folder")))
	item := share + ` li[data-note-id="` + id + `"]`
	p.do("open the note", chromedp.WaitVisible(chromedp.CSS(item+" button")), chromedp.Click(chromedp.CSS(item+" button")))
	p.wait("the note shows read-only", `document.getElementById("save-status").textContent.trim() === "Read-only" &&
		document.querySelector("#note-body .ProseMirror").textContent.includes(`+jsString(word)+`)`)
	if editable := eval[string](p, `document.querySelector("#note-body .ProseMirror").getAttribute("contenteditable")`); editable != "false" {
		p.t.Errorf("%s: the shared note's editor has contenteditable=%q", p.name, editable)
	}
	if !eval[bool](p, `document.getElementById("note-title").readOnly || document.getElementById("note-title").disabled`) {
		p.t.Errorf("%s: the shared note's title can be edited", p.name)
	}
	if !strings.Contains(p.path(), "share=") {
		p.t.Errorf("%s: the shared note's address %s does not name the share", p.name, p.path())
	}
	p.clean("/app (shared note)")
	p.shot("shared-read-only")
}

// privacy turns on one privacy choice on the account page and sees it
// saved.
func (p *person) privacy() {
	p.t.Helper()
	p.open("/account", "privacy-form")
	if eval[bool](p, `document.getElementById("privacy-analytics").checked || document.getElementById("privacy-help-improve").checked`) {
		p.t.Errorf("%s: a privacy choice is on by default", p.name)
	}
	p.do("tick analytics", chromedp.Click(chromedp.ID("privacy-analytics")))
	p.submit("privacy-form", "notice")
	if got := p.text("notice"); got != "Your privacy choices are saved." {
		p.t.Errorf("%s: after saving privacy: notice %q", p.name, got)
	}
	if !eval[bool](p, `document.getElementById("privacy-analytics").checked && !document.getElementById("privacy-help-improve").checked`) {
		p.t.Errorf("%s: the saved privacy choices do not show", p.name)
	}
}

// export asks for an export on the account page, waits for its download
// link, downloads it through the browser, and checks the zip holds the
// note.
func (p *person) export(title, word string) {
	p.t.Helper()
	p.open("/account", "request-export")
	dir := p.t.TempDir()
	if _, err := chromedp.CallBrowser(p.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		p.t.Fatalf("%s: allow downloads: %v", p.name, err)
	}
	p.do("request an export", chromedp.Click(chromedp.ID("request-export")), chromedp.WaitVisible(chromedp.ID("export-status")))
	p.waitPath("the export is requested", "/account/export")
	p.clean(p.path())
	// The page shows the export's progress as of when it was loaded, and
	// says to reload it to follow.
	deadline := time.Now().Add(2 * time.Minute)
	for !eval[bool](p, `(() => { const a = document.getElementById("download-export"); return !!a && a.checkVisibility(); })()`) {
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: no #download-export within 2 minutes; #export-status says %q\n%s", p.name, p.text("export-status"), p.state())
		}
		time.Sleep(time.Second)
		p.do("reload the account page", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("export-status")))
	}
	p.clean("/account (export ready)")
	p.do("scroll to the privacy choices", chromedp.Evaluate[chromedp.Void](`document.getElementById("privacy").scrollIntoView()`))
	p.shot("account")
	p.do("download the export", chromedp.Click(chromedp.ID("download-export")))
	var archive string
	for deadline := time.Now().Add(time.Minute); archive == ""; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: the export did not download within a minute\n%s", p.name, p.state())
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.zip"))
		if len(files) == 1 {
			archive = files[0]
		}
	}
	zr, err := zip.OpenReader(archive)
	if err != nil {
		p.t.Fatalf("%s: the download %s is not a zip: %v", p.name, filepath.Base(archive), err)
	}
	defer zr.Close()
	var found bool
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			p.t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			p.t.Fatal(err)
		}
		if bytes.Contains(b, []byte(title)) && bytes.Contains(b, []byte(word)) {
			found = true
		}
	}
	if !found {
		p.t.Errorf("%s: no file of the export (%d files) holds the note", p.name, len(zr.File))
	}
	p.clean("/account (export downloaded)")
}

// deleteAccount deletes the account from the account page; signing in
// then fails.
func (p *person) deleteAccount() {
	p.t.Helper()
	p.open("/account", "delete-account-form")
	p.do("give the password", chromedp.SendKeys(chromedp.ID("delete-password"), p.password))
	p.submit("delete-account-form", "login-form")
	if got := p.text("notice"); !strings.HasPrefix(got, "Your account is deleted.") {
		p.t.Errorf("%s: after deleting: notice %q", p.name, got)
	}
	p.do("sign in again", chromedp.SendKeys(chromedp.ID("email"), p.email), chromedp.SendKeys(chromedp.ID("password"), p.password),
		chromedp.Click(chromedp.CSS("#login-form button[type=submit]")), chromedp.WaitVisible(chromedp.ID("error")))
	if got := p.text("error"); got != "Email or password is incorrect." {
		p.t.Errorf("%s: signing in to the deleted account: %q", p.name, got)
	}
	// The refused sign-in answers 401, which the browser logs as a failed
	// load of /login; nothing else may be reported.
	for _, l := range p.console.problems() {
		if !strings.Contains(l, "status of 401") || !strings.Contains(l, "/login") {
			p.t.Errorf("%s: on /login (refused) the browser reported: %s", p.name, l)
		}
	}
}

// checkConsoleWatch proves that the watch on the console sees what it
// must: an inline style set from a script is refused by the CSP, and the
// refusal is reported by the browser's log and by the page's
// securitypolicyviolation event.
func (p *person) checkConsoleWatch() {
	p.t.Helper()
	p.clean(p.path())
	eval[bool](p, `document.body.setAttribute("style", "color: red"), true`)
	p.wait("the inline style is refused", `document.body.style.color === ""`)
	deadline := time.Now().Add(10 * time.Second)
	var bad string
	for {
		bad += strings.Join(p.console.problems(), "\n") + "\n"
		if strings.Contains(bad, "Content Security Policy") && strings.Contains(bad, "csp-violation: style-src") {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: an inline style went unreported: the console watch is blind\n%s", p.name, p.console)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// copyScreenshots copies the PNGs of src into dst.
func copyScreenshots(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(src, "*.png"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("copied %d screenshots to %s", len(files), dst)
}

// jsString quotes s as a JavaScript string.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// appConsole records what a tab says in its console, its log and the
// errors its scripts throw; a script added to every page logs each CSP
// violation event too.
type appConsole struct {
	mu    sync.Mutex
	lines []string
	// seen is how many lines problems has already looked at.
	seen int
}

func (c *appConsole) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, s)
}

// String returns every recorded line.
func (c *appConsole) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.lines, "\n")
}

// problems returns the lines recorded since the last call that report a
// CSP violation, a console or log error, or an uncaught exception.
func (c *appConsole) problems() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, l := range c.lines[c.seen:] {
		if strings.Contains(l, "Refused to") || strings.Contains(l, "Content Security Policy") ||
			strings.Contains(l, "csp-violation") || strings.HasPrefix(l, "exception:") ||
			strings.HasPrefix(l, "console.error:") || strings.HasPrefix(l, "log.error:") {
			out = append(out, l)
		}
	}
	c.seen = len(c.lines)
	return out
}

// appCSPReporter runs before any page script and reports every
// securitypolicyviolation event to the console.
const appCSPReporter = `addEventListener("securitypolicyviolation", (e) => {
	console.error("csp-violation: " + e.violatedDirective + " " + e.blockedURI);
});`

// watchAppConsole starts recording the tab's console, log entries and
// uncaught exceptions, and installs appCSPReporter in every document.
func watchAppConsole(t *testing.T, ctx context.Context) *appConsole {
	t.Helper()
	c := &appConsole{}
	err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, a := range e.Args {
				if len(a.Value) > 0 {
					parts = append(parts, strings.Trim(string(a.Value), `"`))
				} else {
					parts = append(parts, a.Description)
				}
			}
			c.add("console." + string(e.Type) + ": " + strings.Join(parts, " "))
		case *log.EventEntryAdded:
			c.add("log." + string(e.Entry.Level) + ": " + e.Entry.Text + " " + e.Entry.URL)
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			c.add("exception: " + msg)
		}
	})
	if err != nil {
		t.Fatalf("listen to the browser: %v", err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: appCSPReporter}); err != nil {
		t.Fatalf("install the CSP reporter: %v", err)
	}
	return c
}
