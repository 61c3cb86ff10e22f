package http

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/markdown"
)

// linkTokenLen is the length of a link token: 32 bytes in base64url
// without padding.
const linkTokenLen = 43

// sharedNotePage is the public page of a linked note: its title and its
// sanitized rendering, with the site's stylesheet and no script. It is a
// page of its own rather than layout.html, which carries the account
// header and has no place for the robots meta tag.
var sharedNotePage = template.Must(template.New("shared").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
{{- if not .AllowIndexing}}
<meta name="robots" content="noindex">
{{- end}}
<title>{{.Title}}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/quire.css">
</head>
<body>
<main id="main">
<h1>{{.Title}}</h1>
{{.Body}}
</main>
</body>
</html>
`))

// sharedNoteView is what sharedNotePage sees. Body is the sanitizer's
// output; the title is escaped by the template.
type sharedNoteView struct {
	Title         string
	Body          template.HTML
	AllowIndexing bool
}

// noLinkView is the page for every token that opens nothing: unknown,
// revoked, malformed, or whose note is gone. It is the same bytes for all,
// so that no response tells them apart.
var noLinkView = sharedNoteView{Title: "Not found", Body: "<p>This link does not work. It may have been turned off.</p>"}

// validLinkToken reports whether token has the form of a link token.
func validLinkToken(token string) bool {
	if len(token) != linkTokenLen {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	return err == nil && len(b) == 32
}

// page answers GET /s/{token}, without a session: the linked note, or the
// one not-found page. Responses are never stored, so that revoking a link
// takes effect at once, and are not indexed unless the owner allowed it.
// The token is never logged: the logs name the route pattern only.
func (h *noteLinksAPI) page(w http.ResponseWriter, r *http.Request) {
	n, l, err := h.resolve(r)
	switch {
	case quire.ErrorCode(err) == quire.ENOTFOUND:
		h.writePage(w, http.StatusNotFound, &noLinkView)
		return
	case err != nil:
		h.s.pageError(w, r, err)
		return
	}
	body, err := markdown.Render(n.Content)
	if err != nil {
		h.s.pageError(w, r, err)
		return
	}
	title := n.Title
	if title == "" {
		title = "Untitled"
	}
	h.writePage(w, http.StatusOK, &sharedNoteView{Title: title, Body: body, AllowIndexing: l.AllowIndexing})
}

// resolve finds the link of the request's token and reads its note in the
// note's workspace. Anything that opens nothing is ENOTFOUND.
func (h *noteLinksAPI) resolve(r *http.Request) (*quire.Note, *quire.NoteLink, error) {
	token := r.PathValue("token")
	if !validLinkToken(token) {
		return nil, nil, quire.ErrNoteLinkNotFound()
	}
	l, err := h.links.ResolveNoteLink(r.Context(), h.tokenIndex(token))
	if err != nil {
		return nil, nil, err
	}
	n, err := h.notes.FindNoteByID(r.Context(), l.WorkspaceID, l.NoteID)
	if err != nil {
		return nil, nil, err
	}
	return n, l, nil
}

// writePage renders v with status and the headers of a public page.
func (h *noteLinksAPI) writePage(w http.ResponseWriter, status int, v *sharedNoteView) {
	var buf bytes.Buffer
	if err := sharedNotePage.Execute(&buf, v); err != nil {
		h.s.logger.Error("render shared note page", "error", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Length", strconv.Itoa(buf.Len()))
	if !v.AllowIndexing {
		hd.Set("X-Robots-Tag", "noindex, nofollow")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
