package http_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/quirehq/quire/chat"
	"github.com/quirehq/quire/edge/shield"
	"github.com/quirehq/quire/finder"
	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/endpoint"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/internal/browsertest"
	"github.com/quirehq/quire/sqlite"
	"github.com/quirehq/quire/voice"
)

// panelAI is the fake AI upstream of the panels test. Each answer streams
// its first fragment at once and the rest only when the test closes the
// answer's gate, so the test sees an answer half written; a gate left
// open forever holds the answer until the request ends.
type panelAI struct {
	mu        sync.Mutex
	refuse    error
	answer    []string
	gate      chan struct{}
	cancelled chan struct{}
	questions []string
}

// next sets the following answer: its fragments, and the gate its second
// fragment waits for.
func (a *panelAI) next(gate chan struct{}, fragments ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.answer, a.gate, a.cancelled = fragments, gate, make(chan struct{})
}

// wasCancelled is closed when the current answer saw its request end
// while it waited.
func (a *panelAI) wasCancelled() <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cancelled
}

// lastQuestion is the text of the last question the upstream was asked.
func (a *panelAI) lastQuestion() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.questions) == 0 {
		return ""
	}
	return a.questions[len(a.questions)-1]
}

func (a *panelAI) ChatStream(ctx context.Context, _ *endpoint.Caller, req *gateway.ChatRequest) (gateway.Stream, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if n := len(req.Messages); n > 0 && len(req.Messages[n-1].Parts) > 0 {
		a.questions = append(a.questions, req.Messages[n-1].Parts[0].Text)
	}
	if a.refuse != nil {
		return nil, a.refuse
	}
	evs := []gateway.Event{{Type: gateway.EventStart, ID: "r", Model: req.Model}}
	for _, f := range a.answer {
		evs = append(evs, gateway.Event{Type: gateway.EventText, Text: f})
	}
	return &gatedStream{ctx: ctx, evs: evs, gateAt: 2, gate: a.gate, cancelled: a.cancelled}, nil
}

// gatedStream gives its events in order, waiting before event gateAt
// until gate is closed or ctx ends.
type gatedStream struct {
	ctx       context.Context
	evs       []gateway.Event
	i, gateAt int
	gate      chan struct{}
	cancelled chan struct{}
}

func (s *gatedStream) Next() (gateway.Event, error) {
	if s.i == s.gateAt && s.i < len(s.evs) {
		select {
		case <-s.gate:
		case <-s.ctx.Done():
			close(s.cancelled)
			return gateway.Event{}, s.ctx.Err()
		}
	}
	if s.i >= len(s.evs) {
		return gateway.Event{}, io.EOF
	}
	ev := s.evs[s.i]
	s.i++
	return ev, nil
}

func (s *gatedStream) Close() error { return nil }

// panels is one user's session in the workspace page, with the server's
// fakes at hand.
type panels struct {
	*journey
	user *wsUser
	ai   *panelAI
	tr   *transcriber
}

// newPanels starts a server with notes, ideas, folders, search (behind
// the default shield), chat and voice notes on one SQLite database, the
// AI faked; signs up a user; and opens the browser, signed in, with a
// fake microphone.
func newPanels(t *testing.T) *panels {
	t.Helper()
	exec := browsertest.Path(t)
	db, b, dir := authtest.SQLite(t)
	svc, _ := authtest.OnStore(t, db, b, dir, authtest.Options{})
	notes, ideas, folders := sqlite.NewNoteService(db, b), sqlite.NewIdeaService(db, b), sqlite.NewFolderService(db, b)
	f, err := finder.New(finder.Config{Notes: notes, Ideas: ideas, Folders: folders})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	caller := func(_ context.Context, user, ws string) (*endpoint.Caller, error) {
		return &endpoint.Caller{Account: user, Workspace: ws}, nil
	}
	ai := &panelAI{}
	chats := sqlite.NewChatService(db, b)
	indexedNotes, indexedIdeas := f.Notes(notes), f.Ideas(ideas)
	cs, err := chat.New(chat.Config{Chats: chats, Notes: indexedNotes, AI: ai, Caller: caller, Retriever: f, Model: "quire-default"})
	if err != nil {
		t.Fatal(err)
	}
	tr := &transcriber{text: "Ring the harbour master about the lighthouse lamps."}
	vs, err := voice.New(voice.Config{Ideas: indexedIdeas, AI: tr, Caller: caller, Model: "whisper"})
	if err != nil {
		t.Fatal(err)
	}
	sh, err := shield.New(shield.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ws := sqlite.NewWorkspaceService(db, b)
	srv := openServer(t, quirehttp.Config{Auth: svc, AuthBurst: 1000, Workspaces: ws, Notes: indexedNotes,
		Ideas: indexedIdeas, Folders: f.Folders(folders), Search: f, Chats: chats, Chat: cs, Voice: vs, Shield: sh}, nil)
	e := &wsAPI{t: t, svc: svc, ws: ws, srv: srv.Server}
	p := &panels{user: e.user("panels@example.com"), ai: ai, tr: tr,
		journey: &journey{t: t, base: srv.URL(), client: srv.client, email: "panels@example.com", password: apiPassword}}
	p.ctx = startMediaBrowser(t, exec)
	p.console = watchConsole(t, p.ctx)
	p.signIn()
	return p
}

// startMediaBrowser is startBrowser with a fake microphone that needs no
// permission prompt, and more time: the panels test walks through a lot.
func startMediaBrowser(t *testing.T, exec string) context.Context {
	t.Helper()
	tab := browsertest.Start(t, exec, browsertest.Options{Width: 1280, Height: 900, Flags: map[string]any{
		"use-fake-device-for-media-stream": true, "use-fake-ui-for-media-stream": true}})
	ctx, cancel := context.WithTimeout(tab, 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// signIn gives the browser the user's session cookie, as signing in would,
// and opens the workspace.
func (p *panels) signIn() {
	p.t.Helper()
	yes := true
	if _, err := chromedp.Call(p.ctx, network.SetCookie, network.SetCookieParams{
		Name: quirehttp.SessionCookie, Value: p.user.cookie, URL: p.base + "/", Path: "/",
		Secure: &yes, HTTPOnly: &yes, SameSite: network.CookieSameSiteLax,
	}); err != nil {
		p.t.Fatalf("set the session cookie: %v", err)
	}
	p.do("open the workspace", chromedp.Navigate(p.base+"/app"), chromedp.WaitVisible(chromedp.ID("open-search")))
}

// wait polls a JavaScript expression until it is truthy.
func (p *panels) wait(what, expr string) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		page, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`(document.activeElement ? "focus: #" + document.activeElement.id + "\n" : "") + document.body.innerText.slice(0, 3000)`))
		p.t.Fatalf("%s: %v\npage:\n%s\nbrowser console:\n%s", what, err, page, p.console)
	}
}

// key presses key with modifiers.
func (p *panels) key(what, key string, mods ...chromedp.Modifier) {
	p.t.Helper()
	p.do(what, chromedp.KeyEvent(key, chromedp.KeyModifiers(mods...)))
}

// retype empties the field with the id and types text into it.
func (p *panels) retype(id, text string) {
	p.t.Helper()
	p.do("type into #"+id, chromedp.Focus(chromedp.ID(id)),
		chromedp.Evaluate[chromedp.Void](`document.getElementById(`+js(id)+`).select()`),
		chromedp.KeyEvent(kb.Delete), chromedp.KeyEvent(text))
}

// shot saves a screenshot of the page as name.png in the folder
// QUIRE_SCREENSHOTS names, if it names one.
func (p *panels) shot(name string) {
	p.t.Helper()
	dir := os.Getenv("QUIRE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// choose picks value in the select with the id, as a user would.
func (p *panels) choose(id, value string) {
	p.t.Helper()
	p.do("choose "+value+" in #"+id, chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.getElementById(`+js(id)+`);
		s.value = `+js(value)+`;
		s.dispatchEvent(new Event("change", {bubbles: true}));
	})()`))
}

// js quotes s as a JavaScript string.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestBrowserPanels uses the search overlay, the ideas panel (typed and
// spoken) and the chat panel in a real browser over TLS, by keyboard
// where the panels promise it, against the real API with the AI faked,
// and checks that the page broke no CSP rule and logged no error.
func TestBrowserPanels(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	p := newPanels(t)
	note := createNote(p.user, map[string]any{"title": "Harbour lighthouse", "content": "The keeper wants brass lamps for the lighthouse before winter."})
	createNote(p.user, map[string]any{"title": "Groceries", "content": "Apples and bread."})

	p.search(note)
	p.captureIdea()
	p.voiceIdea()
	p.searchIdeas()
	p.promoteAndDelete()
	p.chat(note)
	p.stopChat()
	p.refusedChat()
	p.searchFolders()

	if v := p.console.violations(); len(v) > 0 {
		t.Errorf("the browser reported %d CSP violations or script errors:\n%s", len(v), strings.Join(v, "\n"))
	}
	for _, l := range strings.Split(p.console.String(), "\n") {
		if strings.Contains(l, "the server responded with a status of 429") {
			continue // the refused question, on purpose
		}
		if strings.HasPrefix(l, "console.error") || strings.HasPrefix(l, "log.error") {
			t.Errorf("the page logged an error: %s", l)
		}
	}
}

// search opens the overlay with Ctrl+/, finds the note by a word of its
// body, checks the score and the listbox, opens it with Enter, and checks
// that a query quoting SQL is searched, not refused.
func (p *panels) search(noteID string) {
	p.t.Helper()
	p.do("focus the search button", chromedp.Focus(chromedp.ID("open-search")))
	p.key("press Ctrl+/", "/", chromedp.ModifierCtrl)
	p.wait("the search overlay opens with the input focused",
		`!document.getElementById("search-overlay").hidden && document.activeElement.id === "search-input"`)
	p.key("press Shift+Tab", "\t", chromedp.ModifierShift)
	p.wait("focus wraps to the dialog's last control", `document.activeElement.id === "search-mode"`)
	p.key("press Tab", "\t")
	p.wait("and back to the first", `document.activeElement.id === "search-input"`)
	p.key("type a query", "brass")
	hit := `#search-results li[data-note-id="` + noteID + `"]`
	p.do("see the note among the results", chromedp.WaitVisible(chromedp.CSS(hit)))
	p.shot("search")
	if got := eval[string](p.journey, `document.querySelector(`+js(hit+" .search-title")+`).textContent`); got != "Harbour lighthouse" {
		p.t.Errorf("result title %q", got)
	}
	if got := eval[string](p.journey, `document.querySelector(`+js(hit+" .search-snippet mark")+`).textContent`); got != "brass" {
		p.t.Errorf("the snippet marks %q, want the query word", got)
	}
	if score := eval[string](p.journey, `document.querySelector(`+js(hit+" .search-score")+`).textContent`); strings.Trim(score, "0123456789.") != "" || score == "" {
		p.t.Errorf("score shown as %q", score)
	}
	if n := eval[int](p.journey, `document.querySelectorAll("#search-results li").length`); n != 1 {
		p.t.Errorf("%d results for a word of one note", n)
	}
	if got := eval[string](p.journey, `document.getElementById("search-input").getAttribute("aria-activedescendant")`); got != "search-option-0" {
		p.t.Errorf("aria-activedescendant %q, want the first option", got)
	}

	// Text that quotes SQL goes in the body, where the shield lets it be.
	const sql = "SELECT * FROM notes WHERE 1=1 OR 'a'='a'"
	p.retype("search-input", sql)
	p.wait("the SQL query is answered", `document.getElementById("search-results").dataset.query === `+js(sql)+` &&
		document.getElementById("search-status").textContent === "No results."`)

	p.key("Escape closes", kb.Escape)
	p.wait("focus goes back to the search button",
		`document.getElementById("search-overlay").hidden && document.activeElement.id === "open-search"`)

	p.key("press Ctrl+/ again", "/", chromedp.ModifierCtrl)
	p.wait("the overlay opens again", `document.activeElement.id === "search-input"`)
	p.retype("search-input", "lighthouse")
	p.do("see the note", chromedp.WaitVisible(chromedp.CSS(hit)))
	p.key("press Enter", "\r")
	p.wait("Enter opens the note", `document.getElementById("search-overlay").hidden && document.getElementById("note-title") &&
		document.getElementById("note-title").value === "Harbour lighthouse"`)
}

// captureIdea opens quick capture with Ctrl+Shift+I, saves an idea with
// Enter and finds it through the API.
func (p *panels) captureIdea() {
	p.t.Helper()
	p.key("press Ctrl+/", "/", chromedp.ModifierCtrl)
	p.wait("the search overlay opens", `document.activeElement.id === "search-input"`)
	p.key("press Ctrl+Shift+I", "I", chromedp.ModifierCtrl, chromedp.ModifierShift)
	p.wait("quick capture has the focus, the overlay gone", `document.activeElement.id === "idea-input" &&
		!document.getElementById("ideas-panel").hidden && document.getElementById("search-overlay").hidden`)
	const text = "Paint the lighthouse door blue"
	p.key("type an idea", text+"\r")
	p.wait("the idea is listed", `Array.from(document.querySelectorAll("#ideas-list li[data-idea-id] .idea-text"), (e) => e.textContent).includes(`+js(text)+`)`)
	if v := eval[string](p.journey, `document.getElementById("idea-input").value`); v != "" {
		p.t.Errorf("the input still holds %q after saving", v)
	}
	if !p.hasIdea(text) {
		p.t.Fatalf("the API does not list the idea %q", text)
	}
}

// hasIdea reports whether the API lists an idea with exactly text.
func (p *panels) hasIdea(text string) bool {
	p.t.Helper()
	list := p.user.want(p.user.do(http.MethodGet, "/api/v1/ideas", nil), 200, "")
	for _, i := range list.body["ideas"].([]any) {
		if i.(map[string]any)["text"] == text {
			return true
		}
	}
	return false
}

// voiceIdea records from the fake microphone, waits for the transcript,
// edits it and keeps it; then records again and discards.
func (p *panels) voiceIdea() {
	p.t.Helper()
	p.do("start recording", chromedp.Click(chromedp.ID("voice-button")))
	p.wait("recording", `document.getElementById("voice-button").getAttribute("aria-pressed") === "true"`)
	p.do("record a moment", chromedp.Sleep(1200*time.Millisecond), chromedp.Click(chromedp.ID("voice-button")))
	p.wait("the transcript is ready to review", `!document.getElementById("voice-review").hidden &&
		document.getElementById("voice-transcript").value === `+js(p.tr.text))
	p.shot("ideas")
	p.tr.mu.Lock()
	heard := p.tr.heard[len(p.tr.heard)-1]
	p.tr.mu.Unlock()
	if len(heard) < 100 || !strings.HasPrefix(string(heard), "\x1a\x45\xdf\xa3") {
		p.t.Errorf("the transcriber heard %d bytes, not a WebM recording", len(heard))
	}
	edited := strings.TrimSuffix(p.tr.text, ".") + " before Friday."
	p.retype("voice-transcript", edited)
	p.do("keep the transcript", chromedp.Click(chromedp.ID("voice-keep")))
	p.wait("the kept idea is listed", `document.getElementById("voice-review").hidden &&
		Array.from(document.querySelectorAll("#ideas-list .idea-text"), (e) => e.textContent).includes(`+js(edited)+`)`)
	if !p.hasIdea(edited) || p.hasIdea(p.tr.text) {
		p.t.Fatal("the API does not hold the edited transcript alone")
	}

	// A double press while the microphone starts opens it once; every
	// microphone opened is closed when the recording ends.
	p.do("count the microphones", chromedp.Evaluate[chromedp.Void](`(() => {
		const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
		window.quireMics = [];
		navigator.mediaDevices.getUserMedia = (c) => open(c).then((s) => { window.quireMics.push(s); return s; });
	})()`))
	p.do("record again, pressing twice", chromedp.Evaluate[chromedp.Void](`(() => {
		const b = document.getElementById("voice-button");
		b.click();
		b.click();
	})()`))
	p.wait("recording again", `document.getElementById("voice-button").getAttribute("aria-pressed") === "true"`)
	p.do("stop", chromedp.Sleep(500*time.Millisecond), chromedp.Click(chromedp.ID("voice-button")))
	p.wait("the second transcript", `!document.getElementById("voice-review").hidden`)
	if n := eval[int](p.journey, `window.quireMics.length`); n != 1 {
		p.t.Errorf("a double press opened the microphone %d times", n)
	}
	if !eval[bool](p.journey, `window.quireMics.every((s) => s.getTracks().every((t) => t.readyState === "ended"))`) {
		p.t.Error("a microphone is still open after the recording")
	}
	p.do("discard it", chromedp.Click(chromedp.ID("voice-discard")))
	p.wait("the review closes", `document.getElementById("voice-review").hidden`)
	if p.hasIdea(p.tr.text) {
		p.t.Fatal("a discarded transcript is still an idea")
	}

	// A microphone the user refused is said so, and nothing is sent. (The
	// fake microphone grants every request, so the refusal is the one the
	// browser would give.)
	p.do("refuse the microphone", chromedp.Evaluate[chromedp.Void](`navigator.mediaDevices.getUserMedia =
		() => Promise.reject(new DOMException("Permission denied", "NotAllowedError"))`))
	p.tr.mu.Lock()
	heardBefore := len(p.tr.heard)
	p.tr.mu.Unlock()
	p.do("try to record", chromedp.Click(chromedp.ID("voice-button")))
	p.wait("the refusal is explained", `document.getElementById("ideas-status").textContent.startsWith("Microphone access was denied") &&
		document.getElementById("voice-button").getAttribute("aria-pressed") === "false"`)
	p.tr.mu.Lock()
	defer p.tr.mu.Unlock()
	if len(p.tr.heard) != heardBefore {
		p.t.Error("a refused microphone still sent a recording")
	}
}

// searchIdeas filters the search to ideas, moves through the results
// with the arrow keys and opens one in the ideas panel.
func (p *panels) searchIdeas() {
	p.t.Helper()
	p.key("press Ctrl+/", "/", chromedp.ModifierCtrl)
	p.wait("the overlay opens", `document.activeElement.id === "search-input"`)
	p.retype("search-input", "lighthouse")
	p.wait("notes and ideas match", `document.querySelectorAll("#search-results li[data-note-id]").length === 1 &&
		document.querySelectorAll("#search-results li[data-idea-id]").length === 2`)
	p.choose("search-type", "idea")
	p.wait("only ideas are listed", `document.querySelectorAll("#search-results li").length === 2 &&
		document.querySelectorAll("#search-results li[data-idea-id]").length === 2`)
	p.do("focus the input", chromedp.Focus(chromedp.ID("search-input")))
	p.key("press Down", kb.ArrowDown)
	p.wait("the second result is active", `document.getElementById("search-input").getAttribute("aria-activedescendant") === "search-option-1" &&
		document.getElementById("search-option-1").getAttribute("aria-selected") === "true"`)
	id := eval[string](p.journey, `document.getElementById("search-option-1").dataset.ideaId`)
	p.key("press Enter", "\r")
	p.wait("the idea shows in the ideas panel", `document.getElementById("search-overlay").hidden && !document.getElementById("ideas-panel").hidden &&
		document.querySelector('#ideas-list li.idea-found[data-idea-id="`+id+`"]')`)
}

// promoteAndDelete makes a note of the typed idea, which opens, and
// deletes the spoken one.
func (p *panels) promoteAndDelete() {
	p.t.Helper()
	const typed = "Paint the lighthouse door blue"
	item := func(text string) string {
		return `Array.from(document.querySelectorAll("#ideas-list li[data-idea-id]")).find((li) => li.querySelector(".idea-text").textContent === ` + js(text) + `)`
	}
	p.do("make a note of the idea", chromedp.Evaluate[chromedp.Void](item(typed)+`.querySelector('[data-action="promote"]').click()`))
	p.wait("the new note opens", `document.getElementById("note-title").value === `+js(typed)+` && !`+item(typed))
	if p.hasIdea(typed) {
		p.t.Error("a promoted idea is still an idea")
	}
	spoken := eval[string](p.journey, `document.querySelector("#ideas-list li[data-idea-id] .idea-text").textContent`)
	p.do("delete the spoken idea", chromedp.Click(chromedp.CSS(`#ideas-list li[data-idea-id] [data-action="delete"]`)))
	p.wait("it leaves the list", `!`+item(spoken))
	if p.hasIdea(spoken) {
		p.t.Errorf("the deleted idea %q is still listed by the API", spoken)
	}
}

// refusedChat asks while the AI budget is spent: the refusal is shown,
// nothing is left in the conversation, and the question is given back.
func (p *panels) refusedChat() {
	p.t.Helper()
	p.ai.mu.Lock()
	p.ai.refuse = &endpoint.BudgetError{RetryAfter: 30 * time.Second}
	p.ai.mu.Unlock()
	defer func() {
		p.ai.mu.Lock()
		p.ai.refuse = nil
		p.ai.mu.Unlock()
	}()
	answers := eval[int](p.journey, `document.querySelectorAll("#chat-messages .chat-message").length`)
	p.do("ask", chromedp.SendKeys(chromedp.ID("chat-input"), "One more question\r"))
	p.wait("the refusal is shown and the question given back", `document.querySelector("#chat-panel .chat-status").textContent.includes("budget") &&
		document.getElementById("chat-input").value === "One more question" && !document.getElementById("chat-send").hidden`)
	if n := eval[int](p.journey, `document.querySelectorAll("#chat-messages .chat-message").length`); n != answers {
		p.t.Errorf("%d messages shown after a refused question, want %d", n, answers)
	}
	p.do("clear the question", chromedp.Evaluate[chromedp.Void](`document.getElementById("chat-input").value = ""`))
}

// searchFolders keeps a search to one folder, then finds the folder
// itself and opens it in the sidebar.
func (p *panels) searchFolders() {
	p.t.Helper()
	folder := p.user.want(p.user.do(http.MethodPost, "/api/v1/folders", map[string]any{"name": "Workshop"}), 201, "").body["folderId"].(string)
	inside := createNote(p.user, map[string]any{"title": "Brass polish", "content": "Polish the brass before the lighthouse opens.", "folderId": folder})
	row := `#sidebar [data-folder-id="` + folder + `"]`
	p.do("reload the workspace", chromedp.Navigate(p.base+"/app"), chromedp.WaitVisible(chromedp.CSS(row)))
	p.key("press Ctrl+/", "/", chromedp.ModifierCtrl)
	p.wait("the overlay opens with its folder filter", `document.activeElement.id === "search-input" &&
		document.querySelector('#search-folder option[value="`+folder+`"]')`)
	p.retype("search-input", "brass")
	p.wait("notes in and out of the folder match", `document.getElementById("search-results").dataset.query === "brass" &&
		document.querySelectorAll("#search-results li[data-note-id]").length === 3`)
	p.choose("search-folder", folder)
	p.wait("only the folder's note is left", `document.querySelectorAll("#search-results li").length === 1 &&
		document.querySelector('#search-results li[data-note-id="`+inside+`"]')`)

	p.choose("search-folder", "")
	p.choose("search-type", "folder")
	p.do("focus the input", chromedp.Focus(chromedp.ID("search-input")))
	p.retype("search-input", "workshop")
	p.wait("the folder is found", `document.querySelectorAll("#search-results li").length === 1 &&
		document.querySelector('#search-results li[data-folder-id="`+folder+`"]')`)
	p.key("press Enter", "\r")
	p.wait("the folder opens in the sidebar", `document.getElementById("search-overlay").hidden &&
		document.querySelector(`+js(row+" .folder-select")+`).getAttribute("aria-current") === "true"`)
}

// chat asks a question with the notes as context, sees the answer half
// written while it streams and its source, lets it finish, follows the
// source to the note and saves the answer as a note.
func (p *panels) chat(noteID string) {
	p.t.Helper()
	gate := make(chan struct{})
	p.ai.next(gate, "The keeper **wants** ", "brass lamps before winter.\n\n- from the harbour\n- [the lamp maker](https://lamps.example/brass)")
	p.do("open the chat", chromedp.Click(chromedp.ID("open-chat")),
		chromedp.WaitVisible(chromedp.ID("chat-input")))
	p.wait("the model picker offers the default model", `document.getElementById("chat-model").value === "quire-default"`)
	p.wait("notes are on by default, the current note offered",
		`document.getElementById("ctx-notes").checked && !document.getElementById("ctx-current").disabled`)
	p.do("ask", chromedp.Click(chromedp.ID("ctx-current")),
		chromedp.SendKeys(chromedp.ID("chat-input"), "What does the keeper want for the lighthouse?"),
		chromedp.Click(chromedp.ID("chat-send")))
	last := `document.querySelector("#chat-messages .chat-message.assistant:last-child")`
	p.wait("the first fragment shows while the answer streams", last+` && `+last+`.textContent.includes("The keeper wants") &&
		!document.getElementById("chat-stop").hidden && `+last+`.querySelector("strong")`)
	src := `#chat-messages .chat-message.assistant:last-child .chat-sources li a[data-note-id="` + noteID + `"]`
	p.do("the source is listed before the end", chromedp.WaitVisible(chromedp.CSS(src)))
	p.shot("chat-streaming")
	if done := eval[bool](p.journey, last+`.textContent.includes("brass lamps")`); done {
		p.t.Fatal("the whole answer showed before the upstream sent it")
	}
	if !eval[bool](p.journey, `document.getElementById("chat-messages").getAttribute("aria-busy") === "true"`) {
		p.t.Error("the conversation is not marked busy while the answer streams")
	}
	close(gate)
	p.wait("the answer completes", last+`.dataset.status === "complete" && `+last+`.textContent.includes("brass lamps before winter.") &&
		document.getElementById("chat-stop").hidden && !document.getElementById("chat-send").hidden`)
	if eval[bool](p.journey, `document.getElementById("chat-messages").hasAttribute("aria-busy")`) {
		p.t.Error("the conversation is still marked busy after the answer")
	}
	if got := eval[string](p.journey, `Array.from(`+last+`.querySelectorAll(".chat-body *"), (e) => e.tagName + (e.getAttribute("href") || "")).join(" ")`); got != "P STRONG UL LI LI Ahttps://lamps.example/brass" {
		p.t.Errorf("the answer's markdown rendered as elements %q", got)
	}
	if q := p.ai.lastQuestion(); q != "What does the keeper want for the lighthouse?" {
		p.t.Errorf("the upstream was asked %q", q)
	}

	before := len(p.user.want(p.user.do(http.MethodGet, "/api/v1/notes", nil), 200, "").body["notes"].([]any))
	p.do("save the answer as a note", chromedp.Click(chromedp.CSS("#chat-messages .chat-message.assistant:last-child .chat-save-note")))
	p.wait("the saved note opens", `document.getElementById("note-title").value === "What does the keeper want for the lighthouse?"`)
	after := len(p.user.want(p.user.do(http.MethodGet, "/api/v1/notes", nil), 200, "").body["notes"].([]any))
	if after != before+1 {
		p.t.Errorf("%d notes after saving the answer, want %d", after, before+1)
	}

	p.do("follow the source", chromedp.Click(chromedp.CSS(src)))
	p.wait("the source opens its note", `document.getElementById("note-title").value === "Harbour lighthouse"`)
}

// stopChat asks a question whose answer never ends, stops it with the
// stop button and checks that the upstream call was cancelled and the
// stored answer says so.
func (p *panels) stopChat() {
	p.t.Helper()
	// Quotes nest 8 deep at most: deeper '>' are text, not one call each.
	deep := strings.Repeat(">", 20000) + " deep"
	first := deep + "\n\nThinking it over: <img src=x onerror=alert(1)> [see](javascript:alert(2)) [lamps](https://lamps.example/)"
	p.ai.next(make(chan struct{}), first, " and never finishing")
	p.do("ask", chromedp.SendKeys(chromedp.ID("chat-input"), "A question that takes forever\r"))
	last := `document.querySelector("#chat-messages .chat-message.assistant:last-child")`
	p.wait("the answer starts", last+` && `+last+`.textContent.includes("Thinking it over") && document.activeElement.id === "chat-input"`)
	// Model output is text: markup in it stays text, and only web links
	// become links.
	if got, want := eval[string](p.journey, `Array.from(`+last+`.querySelectorAll(".chat-body *"), (e) => e.tagName + (e.getAttribute("href") || "")).join(" ")`),
		strings.Repeat("BLOCKQUOTE ", 8)+"P P Ahttps://lamps.example/"; got != want {
		p.t.Errorf("the answer rendered as elements %.200q, want %q", got, want)
	}
	if !eval[bool](p.journey, last+`.querySelector(".chat-body p").textContent === `+js(strings.Repeat(">", 20000-8)+" deep")) {
		p.t.Error("the quotes beyond the deepest did not show as text")
	}
	if !eval[bool](p.journey, last+`.textContent.includes("<img src=x onerror=alert(1)> see lamps")`) {
		p.t.Errorf("markup in the answer did not show as text: %q", eval[string](p.journey, last+`.querySelector(".chat-body").textContent`))
	}
	p.do("stop it", chromedp.Click(chromedp.ID("chat-stop")))
	p.wait("the answer is stopped", last+`.dataset.status === "cancelled" && !document.getElementById("chat-send").hidden &&
		!document.getElementById("chat-messages").hasAttribute("aria-busy")`)
	select {
	case <-p.ai.wasCancelled():
	case <-time.After(10 * time.Second):
		p.t.Fatal("the upstream answer went on after Stop")
	}
	list := p.user.want(p.user.do(http.MethodGet, "/api/v1/chats", nil), 200, "")
	id := list.body["chats"].([]any)[0].(map[string]any)["conversationId"].(string)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := p.user.want(p.user.do(http.MethodGet, "/api/v1/chats/"+id, nil), 200, "")
		msgs := got.body["messages"].([]any)
		m := msgs[len(msgs)-1].(map[string]any)
		if m["role"] == "assistant" && m["status"] == "cancelled" && m["content"] == first {
			break
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the stopped answer is stored as %v", m)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
