package http_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdpfetch "github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/internal/browsertest"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/sharing"
	"github.com/quirehq/quire/sqlite"
	"github.com/quirehq/quire/tlscert"
)

// appBrowser is a signed-in user of the web app in a real browser, with
// the same user's API client beside it to check what the app saved.
type appBrowser struct {
	*journey
	user *wsUser
	// shares makes other users and folder shares on the same server.
	shares *sharesEnv
}

// newAppBrowser starts a server with notes, folders, ideas and folder
// sharing on SQLite,
// signs a user up through the API and opens /app in the browser with the
// user's session.
func newAppBrowser(t *testing.T) *appBrowser {
	t.Helper()
	exec := browsertest.Path(t)
	db, b, dir := authtest.SQLite(t)
	svc, outbox := authtest.OnStore(t, db, b, dir, authtest.Options{})
	ws := sqlite.NewWorkspaceService(db, b)
	folders := sqlite.NewFolderService(db, b)
	sh, err := sharing.New(sharing.Config{Shares: sqlite.NewShareService(db, b), Folders: folders, Workspaces: ws,
		Users: sqlite.NewUserService(db, b), Credentials: sqlite.NewAuthService(db, b), Mail: &mail.Outbox{Dir: outbox}, Index: b.BlindIndex})
	if err != nil {
		t.Fatal(err)
	}
	srv := openServer(t, quirehttp.Config{Auth: svc, AuthBurst: 1000, Workspaces: ws, Notes: sqlite.NewNoteService(db, b),
		Folders: folders, Ideas: sqlite.NewIdeaService(db, b), Sharing: sh}, nil)
	e := &wsAPI{t: t, svc: svc, ws: ws, srv: srv.Server}
	a := &appBrowser{user: e.user("writer@example.com"), shares: &sharesEnv{wsAPI: e, outbox: outbox},
		journey: &journey{t: t, base: srv.URL(), client: srv.client, email: "writer@example.com", password: apiPassword}}
	a.ctx = startBrowser(t, exec)
	a.console = watchConsole(t, a.ctx)
	yes := true
	if _, err := chromedp.Call(a.ctx, network.SetCookie, network.SetCookieParams{
		Name: quirehttp.SessionCookie, Value: a.user.cookie, URL: a.base + "/", Path: "/",
		Secure: &yes, HTTPOnly: &yes, SameSite: network.CookieSameSiteLax,
	}); err != nil {
		t.Fatalf("set the session cookie: %v", err)
	}
	return a
}

// wait polls a JavaScript expression until it is truthy.
func (a *appBrowser) wait(what, expr string) {
	a.t.Helper()
	if _, err := chromedp.Run(a.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		a.t.Fatalf("%s: %v\nsave status %q\nbrowser console:\n%s", what, err, a.status(), a.console)
	}
}

// status is the text of #save-status.
func (a *appBrowser) status() string {
	s, _ := chromedp.Run(a.ctx, chromedp.Evaluate[string](`(document.getElementById("save-status") || {}).textContent || ""`))
	return s
}

// waitStatus waits until #save-status reads exactly text.
func (a *appBrowser) waitStatus(what, text string) {
	a.t.Helper()
	a.wait(what, `document.getElementById("save-status").textContent === `+js(text))
}

// note reads a note through the API.
func (a *appBrowser) note(id string) map[string]any {
	a.t.Helper()
	return a.user.want(a.user.do(http.MethodGet, "/api/v1/notes/"+id, nil), 200, "").body
}

// TestBrowserApp writes a note in the web app as a person would: create
// it, type a title and text, watch it save, reload and find it again,
// make a word bold with Ctrl+B and find **…** in the saved markdown, and
// meet a conflicting edit made elsewhere; all without a CSP violation or
// a script error.
func TestBrowserApp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	a := newAppBrowser(t)
	a.do("open the app", chromedp.Navigate(a.base+"/app"), chromedp.WaitVisible(chromedp.ID("new-note")))
	for _, id := range []string{"open-search", "open-ideas", "open-chat", "open-shared", "open-settings", "sidebar",
		"new-folder", "note-list", "side-panel", "ideas-panel", "chat-panel", "overlay", "toast"} {
		if !eval[bool](a.journey, `!!document.getElementById(`+js(id)+`)`) {
			t.Errorf("the shell has no #%s", id)
		}
	}

	// A new note opens in the editor, its address in the location bar.
	a.do("create a note", chromedp.Click(chromedp.ID("new-note")), chromedp.WaitVisible(chromedp.ID("note-title")))
	a.wait("the title has the focus", `document.activeElement.id === "note-title"`)
	path := a.path()
	id := strings.TrimPrefix(path, "/app/notes/")
	if id == path || id == "" {
		t.Fatalf("after New note the location is %s, want /app/notes/{id}", path)
	}
	a.do("type the title", chromedp.SendKeys(chromedp.ID("note-title"), "Harbour plans"))
	a.waitStatus("typing shows the save pending", "Saving…")
	a.do("type the text", chromedp.Click(chromedp.CSS("#note-body .ProseMirror")),
		chromedp.SendKeys(chromedp.CSS("#note-body .ProseMirror"), "Paint the lighthouse"))
	a.waitStatus("typing shows the save pending", "Saving…")
	a.waitStatus("the note saves once typing stops", "Saved")
	if n := a.note(id); n["title"] != "Harbour plans" || n["content"] != "Paint the lighthouse" {
		t.Fatalf("saved note: title %q, content %q", n["title"], n["content"])
	}
	if !eval[bool](a.journey, `!!document.querySelector('#note-list li[data-note-id=`+js(id)+`]')`) {
		t.Error("the note list has no row for the new note")
	}

	// A reload reopens the note from its address.
	a.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("note-title")))
	a.wait("the note is back after a reload", `document.getElementById("note-title").value === "Harbour plans" &&
		document.querySelector("#note-body .ProseMirror").textContent === "Paint the lighthouse"`)
	a.waitStatus("a note just opened is saved", "Saved")

	// Ctrl+B makes bold, saved as markdown.
	a.do("move to the end of the text", chromedp.Click(chromedp.CSS("#note-body .ProseMirror")),
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	a.do("type a bold word",
		chromedp.KeyEvent(" blue "),
		chromedp.KeyEvent("b", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent("now"),
		chromedp.KeyEvent("b", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	a.wait("the word is bold in the editor", `(document.querySelector("#note-body .ProseMirror strong") || {}).textContent === "now"`)
	a.waitStatus("the bold word saves", "Saved")
	if got := a.note(id)["content"]; got != "Paint the lighthouse blue **now**" {
		t.Errorf("saved markdown %q, want the bold word as **now**", got)
	}

	// Someone else saves the note; this browser's next save conflicts and
	// keeps its own text until the user chooses.
	version := a.note(id)["version"]
	a.user.want(a.user.do(http.MethodPatch, "/api/v1/notes/"+id,
		map[string]any{"content": "Their text", "version": version}), 200, "")
	a.do("type on the stale version", chromedp.KeyEvent("!"))
	a.waitStatus("the save meets a conflict", "Conflict — reload to see the other version")
	if got := eval[string](a.journey, `document.querySelector("#note-body .ProseMirror").textContent`); got != "Paint the lighthouse blue now!" {
		t.Errorf("after the conflict the editor shows %q, want the local text kept", got)
	}
	if got := a.note(id)["content"]; got != "Their text" {
		t.Errorf("the conflicting save changed the note to %q", got)
	}
	a.do("load their version", chromedp.Click(chromedp.ID("load-theirs")))
	a.wait("their text is shown", `document.querySelector("#note-body .ProseMirror").textContent === "Their text"`)
	a.waitStatus("their version is the saved one", "Saved")

	// Another conflict, settled the other way: this browser's text wins.
	version = a.note(id)["version"]
	a.user.want(a.user.do(http.MethodPatch, "/api/v1/notes/"+id,
		map[string]any{"content": "Their second text", "version": version}), 200, "")
	a.do("type on the stale version again", chromedp.Click(chromedp.CSS("#note-body .ProseMirror")),
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent(" and mine"))
	a.waitStatus("the save meets a conflict again", "Conflict — reload to see the other version")
	a.do("overwrite theirs", chromedp.Click(chromedp.ID("overwrite")))
	a.waitStatus("the local text is saved over theirs", "Saved")
	if got := a.note(id)["content"]; got != "Their text and mine" {
		t.Errorf("after Overwrite the note holds %q, want this browser's text", got)
	}

	// The page broke no CSP rule and threw nothing; the only error the
	// browser logged is the refused (409) save.
	if v := a.console.violations(); len(v) > 0 {
		t.Errorf("the browser reported %d CSP violations or script errors:\n%s", len(v), strings.Join(v, "\n"))
	}
	for _, l := range strings.Split(a.console.String(), "\n") {
		if (strings.HasPrefix(l, "console.error") || strings.HasPrefix(l, "log.error")) && !strings.Contains(l, "status of 409") {
			t.Errorf("the page logged an error: %s", l)
		}
	}
}

// editorText is the text of the editor.
func (a *appBrowser) editorText() string {
	a.t.Helper()
	return eval[string](a.journey, `document.querySelector("#note-body .ProseMirror").textContent`)
}

// setOffline cuts the browser off the network, or connects it again.
func (a *appBrowser) setOffline(off bool) {
	a.t.Helper()
	if _, err := chromedp.Call(a.ctx, network.Enable, network.EnableParams{}); err != nil {
		a.t.Fatal(err)
	}
	rules := []*network.Conditions{}
	if off {
		rules = append(rules, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	}
	if _, err := chromedp.Call(a.ctx, network.EmulateNetworkConditionsByRule,
		network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules}); err != nil {
		a.t.Fatalf("emulate the network: %v", err)
	}
	if _, err := chromedp.Call(a.ctx, network.OverrideNetworkState,
		network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		a.t.Fatalf("override the network state: %v", err)
	}
}

// TestBrowserAppOfflineHistoryShared: the editor's shortcuts (Alt+1,
// Ctrl+K), a save made offline that is kept on the device and sent once
// the browser is back online, restoring an older version from the
// history, and a note of a folder shared read-only, which the editor
// shows but does not let change.
func TestBrowserAppOfflineHistoryShared(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	a := newAppBrowser(t)
	id := createNote(a.user, map[string]any{"title": "Log", "content": "First line"})
	a.do("open the note by its address", chromedp.Navigate(a.base+"/app/notes/"+id), chromedp.WaitVisible(chromedp.ID("note-title")))
	a.wait("the note is shown", `document.querySelector("#note-body .ProseMirror").textContent === "First line"`)

	// Alt+1 makes a heading; Ctrl+K asks for a link address in a form.
	a.do("Alt+1 on the line", chromedp.Click(chromedp.CSS("#note-body .ProseMirror")),
		chromedp.KeyEvent("1", chromedp.KeyModifiers(chromedp.ModifierAlt)))
	a.wait("the line is a heading", `!!document.querySelector("#note-body .ProseMirror h1")`)
	a.do("go to the end", chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("\r"))
	a.do("Ctrl+K", chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	a.wait("the link form has the focus", `document.activeElement.id === "link-url"`)
	a.do("give the address", chromedp.KeyEvent("example.org\r"))
	a.wait("the link is in the text", `(document.querySelector("#note-body .ProseMirror a") || {}).href === "https://example.org/"`)
	// Markdown typed as it is written turns into formatting.
	a.do("type markdown", chromedp.KeyEvent("\r## Sub\r**strong** words"))
	a.wait("## makes a second-level heading and ** bold", `(document.querySelector("#note-body .ProseMirror h2") || {}).textContent === "Sub" &&
		Array.from(document.querySelectorAll("#note-body .ProseMirror strong"), (e) => e.textContent).includes("strong")`)
	a.waitStatus("the heading and link save", "Saved")
	saved := a.note(id)
	if c, _ := saved["content"].(string); !strings.HasPrefix(c, "# First line\n") || !strings.Contains(c, "](https://example.org/)") && !strings.Contains(c, "<https://example.org/>") ||
		!strings.Contains(c, "\n## Sub\n") || !strings.Contains(c, "**strong** words") {
		t.Errorf("saved markdown %q, want a heading, the link, a second heading and bold", c)
	}

	// Offline: the save is kept on this device, and sent when back online.
	a.setOffline(true)
	a.do("type offline", chromedp.KeyEvent(" offline words"))
	a.waitStatus("the save is kept on the device", "Offline — saved on this device")
	if !eval[bool](a.journey, `!!JSON.parse(localStorage.getItem("quire.offline-notes." + document.getElementById("app").dataset.user) || "{}")[`+js(id)+`]`) {
		t.Error("nothing was kept in localStorage while offline")
	}
	if c, _ := a.note(id)["content"].(string); strings.Contains(c, "offline words") {
		t.Fatalf("the server has the offline text already: %q", c)
	}
	a.setOffline(false)
	a.waitStatus("back online, the kept text is saved", "Saved")
	if c, _ := a.note(id)["content"].(string); !strings.Contains(c, "offline words") {
		t.Errorf("after going online the server has %q, want the offline text", c)
	}
	if eval[bool](a.journey, `localStorage.getItem("quire.offline-notes." + document.getElementById("app").dataset.user) !== null`) {
		t.Error("the sent text is still kept in localStorage")
	}

	// History: restore version 1, which puts the first text back as a new
	// version.
	a.do("open the history", chromedp.Click(chromedp.ID("history-button")),
		chromedp.WaitVisible(chromedp.CSS(`#versions li[data-version="1"] [data-action="restore"]`)))
	before := a.note(id)["version"].(float64)
	a.do("restore version 1", chromedp.Click(chromedp.CSS(`#versions li[data-version="1"] [data-action="restore"]`)))
	a.wait("the editor shows version 1", `document.querySelector("#note-body .ProseMirror").textContent === "First line" &&
		!document.querySelector("#note-body .ProseMirror h1")`)
	if n := a.note(id); n["content"] != "First line" || n["version"].(float64) != before+1 {
		t.Errorf("after restoring: content %q at version %v, want the first text at version %v", n["content"], n["version"], before+1)
	}
	a.waitStatus("the restored note is saved", "Saved")

	// A note in a folder shared with me for reading: shown, not editable.
	ann := a.shares.user("ann@example.com")
	folder := createFolder(ann, "Ann's plans")
	shared := createNote(ann, map[string]any{"title": "Ann's note", "content": "Read me", "folderId": folder})
	_, token := a.shares.share(ann, folder, "writer@example.com", "read")
	share := accept(a.user, token)
	a.do("open the shared note", chromedp.Navigate(a.base+"/app/notes/"+shared+"?share="+share),
		chromedp.WaitVisible(chromedp.ID("note-title")))
	a.wait("the shared note is shown", `document.getElementById("note-title").value === "Ann's note"`)
	a.waitStatus("a read share is read-only", "Read-only")
	if !eval[bool](a.journey, `document.querySelector("#note-body .ProseMirror").getAttribute("contenteditable") === "false" &&
		document.getElementById("note-title").readOnly`) {
		t.Error("the read-only note can be edited")
	}
	if got := a.editorText(); got != "Read me" {
		t.Errorf("the shared note shows %q", got)
	}

	if v := a.console.violations(); len(v) > 0 {
		t.Errorf("the browser reported %d CSP violations or script errors:\n%s", len(v), strings.Join(v, "\n"))
	}
	for _, l := range strings.Split(a.console.String(), "\n") {
		if (strings.HasPrefix(l, "console.error") || strings.HasPrefix(l, "log.error")) && !strings.Contains(l, "ERR_INTERNET_DISCONNECTED") {
			t.Errorf("the page logged an error: %s", l)
		}
	}
}

// rowTitles lists the titles of the note list, top to bottom.
func (a *appBrowser) rowTitles() []string {
	a.t.Helper()
	return eval[[]string](a.journey, `Array.from(document.querySelectorAll("#note-list li[data-note-id] .note-title"), (e) => e.textContent)`)
}

// TestBrowserAppFoldersAndList: folders made, renamed and deleted from the
// sidebar (asked first, in dialogs), a new note filed in the chosen
// folder, pinning that puts a note first, and deleting a note.
func TestBrowserAppFoldersAndList(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	a := newAppBrowser(t)
	older := createNote(a.user, map[string]any{"title": "Older"})
	createNote(a.user, map[string]any{"title": "Newer"})
	a.do("open the app", chromedp.Navigate(a.base+"/app"), chromedp.WaitVisible(chromedp.CSS(`#note-list li[data-note-id="`+older+`"]`)))
	if got := a.rowTitles(); len(got) != 2 || got[0] != "Newer" {
		t.Fatalf("note list %q, want the most recent first", got)
	}

	// Pinning puts a note first.
	a.do("pin the older note", chromedp.Click(chromedp.CSS(`#note-list li[data-note-id="`+older+`"] [data-action="pin"]`)))
	a.wait("the pinned note comes first", `document.querySelector("#note-list li[data-note-id]").dataset.noteId === `+js(older))
	if n := a.note(older); n["isPinned"] != true {
		t.Errorf("pinned note %v", n)
	}

	// A new folder is chosen at once; a new note goes into it.
	a.do("new folder", chromedp.Click(chromedp.ID("new-folder")), chromedp.WaitVisible(chromedp.ID("folder-name-input")),
		chromedp.SendKeys(chromedp.ID("folder-name-input"), "Letters\r"))
	a.wait("the folder is listed and chosen", `(document.querySelector("#sidebar li.folder-row.selected[data-folder-id] .folder-name") || {}).textContent === "Letters"`)
	folder := eval[string](a.journey, `document.querySelector("#sidebar li.folder-row.selected").dataset.folderId`)
	a.wait("the folder's list is empty", `document.querySelectorAll("#note-list li[data-note-id]").length === 0`)
	a.do("new note in the folder", chromedp.Click(chromedp.ID("new-note")), chromedp.WaitVisible(chromedp.ID("note-title")))
	a.wait("the new note opens", `/^\/app\/notes\//.test(location.pathname)`)
	id := strings.TrimPrefix(a.path(), "/app/notes/")
	if n := a.note(id); n["folderId"] != folder {
		t.Errorf("the new note is in folder %v, want %s", n["folderId"], folder)
	}
	a.do("title it", chromedp.SendKeys(chromedp.ID("note-title"), "Dear Ann"))
	a.waitStatus("it saves", "Saved")
	a.wait("the folder lists it", `Array.from(document.querySelectorAll("#note-list .note-title"), (e) => e.textContent).join() === "Dear Ann"`)

	// The editor files a note into a folder.
	a.do("open the older note", chromedp.Navigate(a.base+"/app/notes/"+older), chromedp.WaitVisible(chromedp.ID("note-folder")))
	a.wait("the folder menu offers the folder", `document.querySelector('#note-folder option[value=`+js(folder)+`]') !== null &&
		document.getElementById("note-folder").value === ""`)
	a.do("choose the folder", chromedp.SetValue(chromedp.ID("note-folder"), folder),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("note-folder").dispatchEvent(new Event("change"))`))
	a.wait("the move is done", `document.getElementById("toast").textContent === "Moved to “Letters”."`)
	if n := a.note(older); n["folderId"] != folder {
		t.Errorf("the moved note is in folder %v, want %s", n["folderId"], folder)
	}
	a.do("type after the move", chromedp.Click(chromedp.CSS("#note-body .ProseMirror")), chromedp.KeyEvent("moved"))
	a.waitStatus("a save after the move has the new version", "Saved")
	a.user.want(a.user.do(http.MethodPatch, "/api/v1/notes/"+older, map[string]any{"folderId": nil}), 200, "")
	a.do("back to the folder", chromedp.Click(chromedp.CSS(`#sidebar li[data-folder-id="`+folder+`"] .folder-select`)))

	// Rename the folder in a dialog.
	row := `#sidebar li[data-folder-id="` + folder + `"]`
	a.do("rename", chromedp.Click(chromedp.CSS(row+` [data-action="rename"]`)), chromedp.WaitVisible(chromedp.ID("folder-name-input")))
	a.wait("the old name is selected for typing over", `document.activeElement.id === "folder-name-input" &&
		document.activeElement.selectionStart === 0 && document.activeElement.selectionEnd === "Letters".length`)
	a.do("new name", chromedp.KeyEvent("Post\r"))
	a.wait("the folder is renamed", `document.querySelector(`+js(row+" .folder-name")+`).textContent === "Post"`)
	if f := a.user.want(a.user.do(http.MethodGet, "/api/v1/folders/"+folder, nil), 200, "").body; f["name"] != "Post" {
		t.Errorf("renamed folder %v", f)
	}

	// Deleting a note asks first; Cancel keeps it.
	noteRow := `#note-list li[data-note-id="` + id + `"]`
	a.do("open the note to delete", chromedp.Click(chromedp.CSS(noteRow+" .note-open")))
	a.wait("it is open", `location.pathname === "/app/notes/`+id+`"`)
	a.do("delete the note", chromedp.Click(chromedp.CSS(noteRow+` [data-action="delete"]`)), chromedp.WaitVisible(chromedp.ID("confirm-dialog")))
	a.do("cancel", chromedp.KeyEvent(kb.Escape))
	a.wait("the dialog closes", `!document.getElementById("confirm-dialog")`)
	a.user.want(a.user.do(http.MethodGet, "/api/v1/notes/"+id, nil), 200, "")
	a.do("delete the note again", chromedp.Click(chromedp.CSS(noteRow+` [data-action="delete"]`)), chromedp.WaitVisible(chromedp.ID("confirm-dialog")),
		chromedp.Click(chromedp.CSS("#confirm-dialog button.danger")))
	a.wait("the note leaves the list and the editor", `!document.querySelector(`+js(noteRow)+`) && location.pathname === "/app"`)
	a.user.want(a.user.do(http.MethodGet, "/api/v1/notes/"+id, nil), 404, "not_found")

	// Deleting the folder, keeping its notes.
	inside := createNote(a.user, map[string]any{"title": "Kept", "folderId": folder})
	a.do("delete the folder", chromedp.Click(chromedp.CSS(row+` [data-action="delete"]`)), chromedp.WaitVisible(chromedp.ID("delete-folder-dialog")))
	a.do("keep the notes", chromedp.Click(chromedp.CSS("#delete-folder-dialog .modal-actions button:nth-child(2)")))
	a.wait("the folder is gone and All notes chosen", `!document.querySelector(`+js(row)+`) &&
		document.getElementById("note-list-heading").textContent === "All notes"`)
	if n := a.note(inside); n["folderId"] != nil {
		t.Errorf("the kept note is in folder %v, want none", n["folderId"])
	}

	if v := a.console.violations(); len(v) > 0 {
		t.Errorf("the browser reported %d CSP violations or script errors:\n%s", len(v), strings.Join(v, "\n"))
	}
	for _, l := range strings.Split(a.console.String(), "\n") {
		if strings.HasPrefix(l, "console.error") || strings.HasPrefix(l, "log.error") {
			t.Errorf("the page logged an error: %s", l)
		}
	}
}

// TestBrowserAppRawHTML opens notes whose markdown holds raw HTML, as a
// saved chat answer or an API client may write it, and a markdown link to
// a javascript: address. The editor shows each as the note's text: no
// element of the note reaches the page, nothing loads or runs, no CSP
// rule is broken, and no javascript: address becomes a link. An edit saves
// the HTML back as text, escaped, never as markup.
func TestBrowserAppRawHTML(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	a := newAppBrowser(t)
	cases := []struct {
		name, content string
		// text is what the editor shows.
		text string
	}{
		{"img", `Before <img src="probe-img.png" onerror="console.error('probe-ran img')"> after`, ""},
		{"img-block", `<img src=probe-block.png onerror=console.error('probe-ran')>`, ""},
		{"script", `<script>console.error("probe-ran script")</script>`, ""},
		{"script-inline", `Text <script src="/static/probe.js"></script> more`, ""},
		{"iframe", `<iframe src="/probe-frame"></iframe>`, ""},
		{"anchor", `<a href="javascript:console.error('probe-ran a')">x</a>`, ""},
		{"svg", `<svg onload="console.error('probe-ran svg')"><circle r="5"/></svg>`, ""},
		{"bold", `a <b>bold?</b>`, ""},
		{"details", "<details open ontoggle=\"console.error('probe-ran details')\">\n<summary>s</summary>\n\nhidden\n</details>", "<details open ontoggle=\"console.error('probe-ran details')\"><summary>s</summary>hidden</details>"},
		{"md-link", `[x](javascript:console.error(1))`, "x"},
		{"md-link-tab", "[y](java\tscript:console.error(2)) [z](JAVASCRIPT:console.error(3))", "[y](java\tscript:console.error(2)) z"},
		{"md-autolink", `<javascript:console.error(4)> and [ok](https://example.org/)`, "javascript:console.error(4) and ok"},
		{"md-image", `![pic](probe-md.png)`, "pic"},
		{"em-img", `<em><img src="probe-em.png" onerror="console.error('probe-ran em')"></em>`, `<img src="probe-em.png" onerror="console.error('probe-ran em')">`},
	}
	for _, c := range cases {
		want := c.text
		if want == "" {
			want = c.content
		}
		id := createNote(a.user, map[string]any{"title": "raw " + c.name, "content": c.content})
		a.do("open the "+c.name+" note", chromedp.Navigate(a.base+"/app/notes/"+id), chromedp.WaitVisible(chromedp.ID("note-title")))
		a.wait("the "+c.name+" note is shown", `document.getElementById("note-title").value === `+js("raw "+c.name)+` &&
			document.querySelector("#note-body .ProseMirror").textContent !== ""`)
		a.waitStatus("the "+c.name+" note is saved", "Saved")
		// Give a load or an error event time to fire if an element was made.
		a.do("let the page settle", chromedp.Sleep(400*time.Millisecond))
		if got := a.editorText(); got != want {
			t.Errorf("%s: the editor shows %q, want %q", c.name, got, want)
		}
		if found := eval[[]string](a.journey, `Array.from(document.querySelectorAll(
				"#note-body img, #note-body script, #note-body iframe, #note-body svg, #note-body object, #note-body embed, #note-body details, #note-body b, " +
				"[onerror], [onload], [ontoggle], [src*=probe], a[href^='javascript:' i]"), (e) => e.outerHTML)
			.concat(Array.from(document.scripts).filter((s) => s.textContent.includes("probe")).map((s) => "script " + s.textContent))
			.concat(performance.getEntriesByType("resource").filter((r) => r.name.includes("probe")).map((r) => "loaded " + r.name))`); len(found) > 0 {
			t.Errorf("%s: the note's HTML reached the page: %q", c.name, found)
		}
		links := eval[[]string](a.journey, `Array.from(document.querySelectorAll("#note-body a"), (e) => e.getAttribute("href"))`)
		if wantLinks := map[string]int{"md-autolink": 1}[c.name]; len(links) != wantLinks || wantLinks == 1 && links[0] != "https://example.org/" {
			t.Errorf("%s: the editor shows links to %q", c.name, links)
		}
		if n := a.note(id); n["content"] != c.content || n["version"] != float64(1) {
			t.Errorf("%s: opening the note changed it: %q at version %v", c.name, n["content"], n["version"])
		}
	}

	// The one HTML the editor writes itself, a bare <em> or <strong> where
	// bold and italic overlap, reads back as the marks it stands for.
	id := createNote(a.user, map[string]any{"title": "overlap", "content": "**a*b***<em>c</em>"})
	a.do("open the overlapping marks", chromedp.Navigate(a.base+"/app/notes/"+id), chromedp.WaitVisible(chromedp.ID("note-title")))
	a.wait("they are shown as marks", `document.querySelector("#note-body .ProseMirror").textContent === "abc" &&
		Array.from(document.querySelectorAll("#note-body strong"), (e) => e.textContent).join() === "ab" &&
		Array.from(document.querySelectorAll("#note-body em"), (e) => e.textContent).join("") === "bc"`)

	// An edit keeps the HTML as the text it is: saved escaped, so that it
	// opens as the same text again and is never read as markup.
	id = createNote(a.user, map[string]any{"title": "edit", "content": "a <b>x</b> & <i>y</i>"})
	a.do("open the note to edit", chromedp.Navigate(a.base+"/app/notes/"+id), chromedp.WaitVisible(chromedp.ID("note-title")))
	a.wait("it is shown", `document.querySelector("#note-body .ProseMirror").textContent === "a <b>x</b> & <i>y</i>"`)
	a.do("type at the end", chromedp.Click(chromedp.CSS("#note-body .ProseMirror")),
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent(" ok"))
	a.waitStatus("the edit saves", "Saved")
	saved, _ := a.note(id)["content"].(string)
	if saved != "a &lt;b&gt;x&lt;/b&gt; &amp; &lt;i&gt;y&lt;/i&gt; ok" {
		t.Errorf("saved %q, want the HTML kept as escaped text", saved)
	}
	a.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("note-title")))
	a.wait("the same text comes back", `document.querySelector("#note-body .ProseMirror").textContent === "a <b>x</b> & <i>y</i> ok"`)
	a.waitStatus("reopened unchanged", "Saved")
	if got, _ := a.note(id)["content"].(string); got != saved {
		t.Errorf("reopening changed the note from %q to %q", saved, got)
	}

	if v := a.console.violations(); len(v) > 0 {
		t.Errorf("the browser reported %d CSP violations or script errors:\n%s", len(v), strings.Join(v, "\n"))
	}
	for _, l := range strings.Split(a.console.String(), "\n") {
		if strings.HasPrefix(l, "console.error") || strings.HasPrefix(l, "log.error") || strings.Contains(l, "probe-ran") {
			t.Errorf("the page logged an error: %s", l)
		}
	}
}

// newFullAppBrowser is newAppBrowser on a server with every part
// configured (account deletion included), served over TLS, with two users;
// the browser is not signed in yet.
func newFullAppBrowser(t *testing.T) (a *appBrowser, other *wsUser) {
	t.Helper()
	exec := browsertest.Path(t)
	e := newFullAPI(t)
	ts := httptest.NewUnstartedServer(e.srv)
	ts.TLS = tlscert.ServerConfig(testCert(t))
	ts.StartTLS()
	t.Cleanup(ts.Close)
	a = &appBrowser{user: e.user("ann@example.com"),
		journey: &journey{t: t, base: ts.URL, email: "ann@example.com", password: apiPassword}}
	other = e.user("bob@example.com")
	a.ctx = startBrowser(t, exec)
	a.console = watchConsole(t, a.ctx)
	return a, other
}

// signIn signs the user in again through the API and returns the new
// session's cookie: the browser's sessions come and go while a.user's
// stays to check what the server holds.
func (a *appBrowser) signIn() string {
	a.t.Helper()
	c := a.user.clone()
	c.want(c.do(http.MethodPost, "/api/v1/auth/login", creds(a.email, a.password)), 200, "")
	return c.cookie
}

// setSession gives the browser a session cookie, as signing in would.
func (a *appBrowser) setSession(cookie string) {
	a.t.Helper()
	yes := true
	if _, err := chromedp.Call(a.ctx, network.SetCookie, network.SetCookieParams{
		Name: quirehttp.SessionCookie, Value: cookie, URL: a.base + "/", Path: "/",
		Secure: &yes, HTTPOnly: &yes, SameSite: network.CookieSameSiteLax,
	}); err != nil {
		a.t.Fatalf("set the session cookie: %v", err)
	}
}

// blockNotes makes the notes API unreachable from the browser (as a
// network failure), or reachable again, leaving the rest of the site up.
func (a *appBrowser) blockNotes(on bool) {
	a.t.Helper()
	if _, err := chromedp.Call(a.ctx, network.Enable, network.EnableParams{}); err != nil {
		a.t.Fatal(err)
	}
	var patterns []*network.BlockPattern
	if on {
		patterns = append(patterns, &network.BlockPattern{URLPattern: a.base + "/api/v1/notes/*", Block: true})
	}
	if _, err := chromedp.Call(a.ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: patterns}); err != nil {
		a.t.Fatalf("block the notes API: %v", err)
	}
}

// kept reports whether any value in the site's localStorage holds text.
func (a *appBrowser) kept(text string) bool {
	a.t.Helper()
	return eval[bool](a.journey, `Object.keys(localStorage).some((k) => (localStorage.getItem(k) || "").includes(`+js(text)+`))`)
}

// comeOnline tells the app the connection is back, as the browser would.
func (a *appBrowser) comeOnline() {
	a.t.Helper()
	a.do("the connection is back", chromedp.Evaluate[chromedp.Void](`dispatchEvent(new Event("online"))`))
}

// waitContent polls the server until the note's content satisfies ok.
func (a *appBrowser) waitContent(what, id string, ok func(string) bool) {
	a.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, _ := a.note(id)["content"].(string)
		if ok(c) {
			return
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("%s: the note holds %q\nbrowser console:\n%s", what, c, a.console)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowserAppOfflinePerUser: text kept on the device while the notes
// API was unreachable belongs to its user alone. Another user signed in
// on the same browser neither sees nor sends nor drops it; its owner's
// next visit sends it. Signing out from the app sends what is kept
// first, and the server empties the site's storage; deleting the account
// leaves no note text in the browser either.
func TestBrowserAppOfflinePerUser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	a, bob := newFullAppBrowser(t)
	ann := a.signIn()
	a.setSession(ann)
	id := createNote(a.user, map[string]any{"title": "Diary", "content": "Dear diary"})
	a.do("open the note", chromedp.Navigate(a.base+"/app/notes/"+id), chromedp.WaitVisible(chromedp.ID("note-title")))
	a.wait("the note is shown", `document.querySelector("#note-body .ProseMirror").textContent === "Dear diary"`)
	if got := eval[string](a.journey, `document.getElementById("app").dataset.user`); got != a.user.id {
		t.Errorf("#app names the user %q, want the user's ID %q", got, a.user.id)
	}

	a.blockNotes(true)
	a.do("type while the notes API is unreachable", chromedp.Click(chromedp.CSS("#note-body .ProseMirror")),
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent(" secret plans"))
	a.waitStatus("the text is kept on the device", "Offline — saved on this device")
	if !a.kept("secret plans") {
		t.Fatal("nothing was kept in localStorage")
	}
	a.blockNotes(false)

	// Bob signs in on the same browser: Ann's text is not his to send.
	a.setSession(bob.cookie)
	a.do("Bob opens the app", chromedp.Navigate(a.base+"/app"), chromedp.WaitVisible(chromedp.ID("new-note")))
	a.comeOnline()
	time.Sleep(1500 * time.Millisecond) // the flush, had it anything to send
	if !a.kept("secret plans") {
		t.Error("Bob's session dropped Ann's kept text")
	}
	if eval[bool](a.journey, `document.body.textContent.includes("secret plans") ||
		localStorage.getItem("quire.offline-notes." + document.getElementById("app").dataset.user) !== null`) {
		t.Error("Bob's session sees Ann's kept text")
	}
	if c, _ := a.note(id)["content"].(string); c != "Dear diary" {
		t.Fatalf("Ann's note changed to %q during Bob's session", c)
	}

	// Ann is back: her text is sent.
	a.setSession(ann)
	a.do("Ann opens the app", chromedp.Navigate(a.base+"/app"), chromedp.WaitVisible(chromedp.ID("new-note")))
	a.waitContent("Ann's kept text is sent", id, func(c string) bool { return c == "Dear diary secret plans" })
	a.wait("and no longer kept", `!Object.keys(localStorage).some((k) => k.startsWith("quire.offline-notes."))`)

	// Signing out from the app sends what is kept first (here, a note no
	// longer open, which nothing else would send).
	a.do("open the note", chromedp.Click(chromedp.CSS(`#note-list li[data-note-id="`+id+`"] .note-open`)))
	a.wait("the note is shown", `document.querySelector("#note-body .ProseMirror").textContent === "Dear diary secret plans"`)
	a.blockNotes(true)
	a.do("type while the notes API is unreachable", chromedp.Click(chromedp.CSS("#note-body .ProseMirror")),
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent(" and more"))
	a.waitStatus("the text is kept on the device", "Offline — saved on this device")
	a.do("leave the note", chromedp.Navigate(a.base+"/app"), chromedp.WaitVisible(chromedp.ID("new-note")))
	a.blockNotes(false)
	if !a.kept("and more") {
		t.Fatal("nothing was kept in localStorage")
	}
	a.do("sign out", chromedp.Click(chromedp.ID("sign-out")), chromedp.WaitVisible(chromedp.ID("login-form")))
	if c, _ := a.note(id)["content"].(string); c != "Dear diary secret plans and more" {
		t.Errorf("after signing out the note holds %q, want the kept text sent first", c)
	}
	if n := eval[int](a.journey, `localStorage.length`); n != 0 {
		t.Errorf("after signing out localStorage holds %d items", n)
	}

	// Deleting the account: whatever was kept goes with it.
	a.setSession(a.signIn())
	a.do("open the note", chromedp.Navigate(a.base+"/app/notes/"+id), chromedp.WaitVisible(chromedp.ID("note-title")))
	a.wait("the note is shown", `document.querySelector("#note-body .ProseMirror").textContent.endsWith("and more")`)
	a.blockNotes(true)
	a.do("type while the notes API is unreachable", chromedp.Click(chromedp.CSS("#note-body .ProseMirror")),
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent(" last words"))
	a.waitStatus("the text is kept on the device", "Offline — saved on this device")
	a.do("go to the account page", chromedp.Navigate(a.base+"/account"), chromedp.WaitVisible(chromedp.ID("delete-account-form")))
	if !a.kept("last words") {
		t.Fatal("nothing was kept in localStorage before the deletion")
	}
	a.do("delete the account", chromedp.SendKeys(chromedp.ID("delete-password"), apiPassword),
		chromedp.Click(chromedp.CSS("#delete-account-form button[type=submit]")), chromedp.WaitVisible(chromedp.ID("login-form")))
	if a.kept("last words") || a.kept("Dear diary") {
		t.Error("the deleted account's note text is still in localStorage")
	}
	if n := eval[int](a.journey, `localStorage.length`); n != 0 {
		t.Errorf("after the deletion localStorage holds %d items", n)
	}
	if v := a.console.violations(); len(v) > 0 {
		t.Errorf("the browser reported %d CSP violations or script errors:\n%s", len(v), strings.Join(v, "\n"))
	}
}

// TestBrowserAppKeptText: text typed while the notes API is unreachable
// and deleted again is never sent later; leaving a note in conflict for
// another keeps its local text, shown again when it is reopened; a kept
// note refused as stale is told about once and then waits for the user,
// not sent again every half minute.
func TestBrowserAppKeptText(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	a := newAppBrowser(t)
	id := createNote(a.user, map[string]any{"title": "Plans", "content": "Keep it short"})
	other := createNote(a.user, map[string]any{"title": "Other", "content": "Something else"})
	open := func(id, text string) {
		a.t.Helper()
		a.do("open a note", chromedp.Click(chromedp.CSS(`#note-list li[data-note-id="`+id+`"] .note-open`)))
		a.wait("the note is shown", `document.querySelector("#note-body .ProseMirror").textContent === `+js(text))
	}
	typeAtEnd := func(text string) {
		a.t.Helper()
		a.do("type", chromedp.Click(chromedp.CSS("#note-body .ProseMirror")),
			chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent(text))
	}
	a.do("open the note", chromedp.Navigate(a.base+"/app/notes/"+id), chromedp.WaitVisible(chromedp.ID("note-title")))
	a.wait("the note is shown", `document.querySelector("#note-body .ProseMirror").textContent === "Keep it short"`)

	// Typed offline, then deleted again: the deleted text never reaches
	// the server, not even from the copy kept on the device.
	a.blockNotes(true)
	typeAtEnd(" and secret")
	a.waitStatus("the text is kept on the device", "Offline — saved on this device")
	for range len(" and secret") {
		a.do("delete it again", chromedp.KeyEvent(kb.Backspace))
	}
	a.wait("the text is back as it was", `document.querySelector("#note-body .ProseMirror").textContent === "Keep it short"`)
	a.waitStatus("nothing is left to save", "Saved")
	if a.kept("secret") {
		t.Error("the deleted text is still kept on the device")
	}
	a.blockNotes(false)
	a.comeOnline()
	a.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("note-title")))
	a.wait("the note is shown", `document.querySelector("#note-body .ProseMirror").textContent === "Keep it short"`)
	a.waitStatus("the note is saved", "Saved")
	time.Sleep(500 * time.Millisecond)
	if c, _ := a.note(id)["content"].(string); c != "Keep it short" {
		t.Fatalf("the server got %q, want the deleted text never sent", c)
	}

	// A note left in conflict keeps its local text for when it is opened
	// again.
	version := a.note(id)["version"]
	a.user.want(a.user.do(http.MethodPatch, "/api/v1/notes/"+id,
		map[string]any{"content": "Their text", "version": version}), 200, "")
	typeAtEnd(" and mine")
	a.waitStatus("the save meets a conflict", "Conflict — reload to see the other version")
	open(other, "Something else")
	open(id, "Keep it short and mine")
	a.waitStatus("the conflict is back", "Conflict — reload to see the other version")
	if c, _ := a.note(id)["content"].(string); c != "Their text" {
		t.Errorf("the server holds %q, want their text until the user chooses", c)
	}
	a.do("load their version", chromedp.Click(chromedp.ID("load-theirs")))
	a.wait("their text is shown", `document.querySelector("#note-body .ProseMirror").textContent === "Their text"`)
	if a.kept("and mine") {
		t.Error("the local text is still kept after loading theirs")
	}

	// Kept offline, then changed elsewhere: told once, then left for the
	// user to settle in the note.
	a.blockNotes(true)
	typeAtEnd(" offline")
	a.waitStatus("the text is kept on the device", "Offline — saved on this device")
	version = a.note(id)["version"]
	a.user.want(a.user.do(http.MethodPatch, "/api/v1/notes/"+id,
		map[string]any{"content": "Their newer text", "version": version}), 200, "")
	a.do("leave the note", chromedp.Navigate(a.base+"/app"), chromedp.WaitVisible(chromedp.ID("new-note")))
	a.blockNotes(false)
	a.comeOnline()
	a.wait("the user is told, as an alert", `document.getElementById("toast").textContent.includes("changed elsewhere") &&
		document.getElementById("toast").getAttribute("role") === "alert"`)
	refused := strings.Count(a.console.String(), "status of 409")
	a.do("the toast goes", chromedp.Evaluate[chromedp.Void](`document.getElementById("toast").textContent = ""`))
	a.comeOnline()
	time.Sleep(1500 * time.Millisecond)
	if got := eval[string](a.journey, `document.getElementById("toast").textContent`); got != "" {
		t.Errorf("a second flush told again: %q", got)
	}
	if n := strings.Count(a.console.String(), "status of 409"); refused == 0 || n != refused {
		t.Errorf("the stale note was sent again: %d refused saves, then %d", refused, n)
	}
	if !a.kept("Their text offline") {
		t.Error("the stale text is no longer kept")
	}
	if c, _ := a.note(id)["content"].(string); c != "Their newer text" {
		t.Errorf("the server holds %q", c)
	}
	open(id, "Their text offline")
	a.waitStatus("the note shows the conflict", "Conflict — reload to see the other version")
	if v := a.console.violations(); len(v) > 0 {
		t.Errorf("the browser reported %d CSP violations or script errors:\n%s", len(v), strings.Join(v, "\n"))
	}
}

// TestBrowserAppSwitchWhileLoading: while the next note loads, the one on
// its way out takes no keys (they would be lost when the next one fills
// the editor), and the next one is editable once it is in.
func TestBrowserAppSwitchWhileLoading(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	a := newAppBrowser(t)
	first := createNote(a.user, map[string]any{"title": "First", "content": "Alpha"})
	second := createNote(a.user, map[string]any{"title": "Second", "content": "Beta"})
	a.do("open the first note", chromedp.Navigate(a.base+"/app/notes/"+first), chromedp.WaitVisible(chromedp.ID("note-title")))
	a.wait("the note is shown", `document.querySelector("#note-body .ProseMirror").textContent === "Alpha"`)

	// Hold the second note's GET until the test lets it go.
	paused := make(chan cdpfetch.RequestID, 4)
	if err := chromedp.Listen(a.ctx, func(ev any) {
		if e, ok := ev.(*cdpfetch.EventRequestPaused); ok {
			paused <- e.RequestID
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(a.ctx, cdpfetch.Enable, cdpfetch.EnableParams{
		Patterns: []*cdpfetch.RequestPattern{{URLPattern: "*/api/v1/notes/" + second}}}); err != nil {
		t.Fatal(err)
	}
	a.do("open the second note", chromedp.Click(chromedp.CSS(`#note-list li[data-note-id="`+second+`"] .note-open`)))
	var held cdpfetch.RequestID
	select {
	case held = <-paused:
	case <-time.After(10 * time.Second):
		t.Fatal("the second note was never asked for")
	}
	a.do("type in the editor while it loads", chromedp.Evaluate[chromedp.Void](`document.querySelector("#note-body .ProseMirror").focus()`),
		chromedp.KeyEvent("zzz"))
	locked := eval[bool](a.journey, `document.querySelector("#note-body .ProseMirror").getAttribute("contenteditable") === "false" &&
		document.getElementById("note-title").readOnly && !document.querySelector("#note-body .ProseMirror").textContent.includes("zzz")`)
	if _, err := chromedp.Call(a.ctx, cdpfetch.ContinueRequest, cdpfetch.ContinueRequestParams{RequestID: held}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(a.ctx, cdpfetch.Disable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if !locked {
		t.Error("the note on its way out took keys while the next one loaded")
	}
	a.wait("the second note is shown and editable", `document.querySelector("#note-body .ProseMirror").textContent === "Beta" &&
		document.querySelector("#note-body .ProseMirror").getAttribute("contenteditable") === "true" && !document.getElementById("note-title").readOnly`)
	a.waitStatus("nothing is pending", "Saved")
	if c, _ := a.note(first)["content"].(string); c != "Alpha" {
		t.Errorf("the first note holds %q", c)
	}
}
