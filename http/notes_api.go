package http

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/markdown"
)

// EVERSIONCONFLICT is a conditional note update made against a version
// that is no longer current; the response carries the current version.
const EVERSIONCONFLICT = "version_conflict"

// Paging of GET /api/v1/notes.
const (
	defaultNoteLimit = 50
	maxNoteLimit     = 200
	maxNoteOffset    = 1 << 20
)

// maxNoteBody caps the body of POST and PATCH on notes: the largest title
// and content, each byte escaped as \u00XX at worst, and the other fields.
const maxNoteBody = 6*(quire.MaxNoteContent+quire.MaxNoteTitle) + 4<<10

// registerNotes registers the notes routes of the JSON API (CONTRACT.md,
// "Notes") on notes. They act in the caller's own workspace (the oldest
// the caller owns); a note of any other workspace is not found. They need
// Config.Auth, Config.Workspaces and Config.Notes; without them nothing is
// registered.
func (s *Server) registerNotes(notes quire.NoteService) {
	if s.cfg.Auth == nil || s.cfg.Workspaces == nil || notes == nil {
		return
	}
	h := &notesAPI{s: s, notes: notes}
	s.Handle("GET /api/v1/notes", h.list)
	s.Mount("POST /api/v1/notes", BodyLimit(maxNoteBody, s.handlerFunc(h.create)))
	s.Handle("GET /api/v1/notes/{id}", h.get)
	s.Mount("PATCH /api/v1/notes/{id}", BodyLimit(maxNoteBody, s.handlerFunc(h.update)))
	s.Handle("DELETE /api/v1/notes/{id}", h.delete)
	s.Handle("GET /api/v1/notes/{id}/export", h.export)
	s.Handle("GET /api/v1/notes/{id}/versions", h.versions)
	s.Handle("GET /api/v1/notes/{id}/versions/{version}", h.getVersion)
	s.Handle("POST /api/v1/notes/{id}/versions/{version}/restore", h.restore)
}

// handlerFunc adapts h to an http.Handler that renders its error.
func (s *Server) handlerFunc(h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			Error(w, r, s.logger, err)
		}
	})
}

type notesAPI struct {
	s     *Server
	notes quire.NoteService
	// grant is set on the routes of a folder shared with the caller
	// (/api/v1/shared/{share}/notes): notes is then restricted to it.
	grant *quire.ShareGrant
}

// path is where the routes of a note live: under /api/v1/notes, or under
// the shared folder's routes.
func (h *notesAPI) path(id string) string {
	if h.grant != nil {
		return "/api/v1/shared/" + h.grant.ShareID + "/notes/" + id
	}
	return "/api/v1/notes/" + id
}

// ownWorkspace returns the workspace the caller's notes live in: the
// oldest one the user owns, as the AI gateway chooses for API calls. A
// workspace the user is only a member of is never picked.
func (s *Server) ownWorkspace(ctx context.Context, userID string) (string, error) {
	w, err := quire.OwnWorkspace(ctx, s.cfg.Workspaces, userID)
	if err != nil {
		return "", err
	}
	if w == nil {
		return "", quire.Errorf(quire.ENOTFOUND, "You have no workspace of your own for notes.")
	}
	return w.ID, nil
}

// caller returns the signed-in caller's notes workspace, or the shared
// folder's workspace on the shared routes.
func (h *notesAPI) caller(r *http.Request) (string, error) {
	if h.grant != nil {
		return h.grant.WorkspaceID, nil
	}
	a, err := requireActor(r)
	if err != nil {
		return "", err
	}
	return h.s.ownWorkspace(r.Context(), a.UserID)
}

// errNoNote answers alike for a malformed ID, a deleted note and another
// workspace's note, so that no response confirms an ID exists (ISO-1).
func errNoNote() error { return quire.Errorf(quire.ENOTFOUND, "Note not found.") }

// noteError replaces a store's not-found error with errNoNote.
func noteError(err error) error {
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		return errNoNote()
	}
	return err
}

// noteJSON is a note as the API shows it. FolderID is null outside a
// folder; HTML is there only for ?format=html.
type noteJSON struct {
	ID        string    `json:"noteId"`
	Title     string    `json:"title"`
	Content   string    `json:"content"`
	FolderID  *string   `json:"folderId"`
	Pinned    bool      `json:"isPinned"`
	Public    bool      `json:"isPublic"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	HTML      *string   `json:"html,omitempty"`
}

func noteBody(n *quire.Note) noteJSON {
	out := noteJSON{ID: n.ID, Title: n.Title, Content: n.Content, Pinned: n.Pinned, Public: n.Public,
		Version: n.Version, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt}
	if n.FolderID != "" {
		f := n.FolderID
		out.FolderID = &f
	}
	return out
}

// etag is a note version as an entity tag.
func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// checkQuery refuses query parameters other than allowed, and repeated ones.
func checkQuery(r *http.Request, allowed ...string) error {
	for k, v := range r.URL.Query() {
		known := false
		for _, a := range allowed {
			known = known || k == a
		}
		switch {
		case !known && safeField(k):
			return quire.Errorf(quire.EINVALID, "Query parameter %q is not known.", k)
		case !known:
			return quire.Errorf(quire.EINVALID, "The query has a parameter that is not known.")
		case len(v) > 1:
			return quire.Errorf(quire.EINVALID, "Query parameter %q is given more than once.", k)
		}
	}
	return nil
}

// queryInt parses an optional non-negative integer parameter up to max.
func queryInt(r *http.Request, name string, def, max int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > max {
		return 0, quire.Errorf(quire.EINVALID, "Query parameter %q must be a whole number from 0 to %d.", name, max)
	}
	return n, nil
}

// list answers GET /api/v1/notes?folderId=&pinnedOnly=&limit=&offset=:
// pinned notes first, then the most recently updated.
func (h *notesAPI) list(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.caller(r)
	if err != nil {
		return err
	}
	if err := checkQuery(r, "folderId", "pinnedOnly", "limit", "offset"); err != nil {
		return err
	}
	q := r.URL.Query()
	f := quire.NoteFilter{WorkspaceID: ws}
	if q.Has("folderId") {
		id := q.Get("folderId")
		if !quire.ValidID(id) {
			return quire.Errorf(quire.EINVALID, "Query parameter \"folderId\" is not a valid identifier.")
		}
		f.FolderID = &id
	}
	if s := q.Get("pinnedOnly"); s != "" {
		if s != "true" && s != "false" {
			return quire.Errorf(quire.EINVALID, "Query parameter \"pinnedOnly\" must be true or false.")
		}
		f.PinnedOnly = s == "true"
	}
	if f.Limit, err = queryInt(r, "limit", defaultNoteLimit, maxNoteLimit); err != nil {
		return err
	}
	if f.Limit == 0 {
		return quire.Errorf(quire.EINVALID, "Query parameter \"limit\" must be a whole number from 1 to %d.", maxNoteLimit)
	}
	if f.Offset, err = queryInt(r, "offset", 0, maxNoteOffset); err != nil {
		return err
	}
	list, total, err := h.notes.FindNotes(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]noteJSON, 0, len(list))
	for _, n := range list {
		out = append(out, noteBody(n))
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusOK, map[string]any{"notes": out, "total": total})
}

// createNoteBody is the body of POST /api/v1/notes.
type createNoteBody struct {
	Title    string  `json:"title"`
	Content  string  `json:"content"`
	FolderID *string `json:"folderId"`
	Pinned   bool    `json:"isPinned"`
}

// create answers POST /api/v1/notes with 201 {"noteId"}.
func (h *notesAPI) create(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.caller(r)
	if err != nil {
		return err
	}
	var in *createNoteBody
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in == nil {
		return quire.Errorf(quire.EINVALID, "Request body must be a JSON object: the note.")
	}
	n := &quire.Note{WorkspaceID: ws, Title: in.Title, Content: in.Content, Pinned: in.Pinned}
	if in.FolderID != nil {
		n.FolderID = *in.FolderID
	}
	if err := h.notes.CreateNote(r.Context(), n); err != nil {
		return err
	}
	w.Header().Set("Location", h.path(n.ID))
	w.Header().Set("ETag", etag(n.Version))
	return JSON(w, http.StatusCreated, map[string]string{"noteId": n.ID})
}

// get answers GET /api/v1/notes/{id}[?format=html] with the note and its
// version as ETag; format=html adds the sanitized rendering.
func (h *notesAPI) get(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.caller(r)
	if err != nil {
		return err
	}
	if err := checkQuery(r, "format"); err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "html" && format != "markdown" {
		return quire.Errorf(quire.EINVALID, "Query parameter \"format\" must be html or markdown.")
	}
	id := r.PathValue("id")
	if !quire.ValidID(id) {
		return errNoNote()
	}
	n, err := h.notes.FindNoteByID(r.Context(), ws, id)
	if err != nil {
		return noteError(err)
	}
	out := noteBody(n)
	if format == "html" {
		rendered, err := markdown.Render(n.Content)
		if err != nil {
			return err
		}
		s := string(rendered)
		out.HTML = &s
	}
	w.Header().Set("ETag", etag(n.Version))
	w.Header().Set("Cache-Control", "private, no-cache")
	return JSON(w, http.StatusOK, out)
}

// opt is a PATCH field: Set when the body names it, Null when its value
// is null.
type opt[T any] struct {
	Set, Null bool
	V         T
}

// UnmarshalJSON records that the field was given. encoding/json calls it
// for null too, which is how null is told apart from absent.
func (o *opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// updateNoteBody is the body of PATCH /api/v1/notes/{id}.
type updateNoteBody struct {
	Title    opt[string] `json:"title"`
	Content  opt[string] `json:"content"`
	Pinned   opt[bool]   `json:"isPinned"`
	Public   opt[bool]   `json:"isPublic"`
	FolderID opt[string] `json:"folderId"`
	Version  opt[int]    `json:"version"`
}

// noteUpdate turns the body into a quire.NoteUpdate; only folderId may be
// null (out of any folder).
func (in *updateNoteBody) noteUpdate() (quire.NoteUpdate, error) {
	var u quire.NoteUpdate
	for name, f := range map[string]bool{"title": in.Title.Null, "content": in.Content.Null, "isPinned": in.Pinned.Null,
		"isPublic": in.Public.Null, "version": in.Version.Null} {
		if f {
			return u, quire.Errorf(quire.EINVALID, "Field %q may not be null.", name)
		}
	}
	if in.Title.Set {
		u.Title = &in.Title.V
	}
	if in.Content.Set {
		u.Content = &in.Content.V
	}
	if in.Pinned.Set {
		u.Pinned = &in.Pinned.V
	}
	if in.Public.Set {
		u.Public = &in.Public.V
	}
	if in.FolderID.Set {
		u.FolderID = &in.FolderID.V // "" when null
		if !in.FolderID.Null && in.FolderID.V == "" {
			return u, quire.Errorf(quire.EINVALID, "Field \"folderId\" must be a folder ID or null.")
		}
	}
	if u.Title == nil && u.Content == nil && u.Pinned == nil && u.Public == nil && u.FolderID == nil {
		return u, quire.Errorf(quire.EINVALID, "Nothing to change: give at least one of title, content, isPinned, isPublic, folderId.")
	}
	return u, nil
}

// ifMatch parses an If-Match header naming one note version: `"3"`. It
// returns 0 for no header or `*` (any current version).
func ifMatch(r *http.Request) (int, error) {
	vals := r.Header.Values("If-Match")
	if len(vals) == 0 {
		return 0, nil
	}
	v := strings.TrimSpace(strings.Join(vals, ","))
	if v == "*" {
		return 0, nil
	}
	inner, ok := strings.CutPrefix(v, `"`)
	if ok {
		inner, ok = strings.CutSuffix(inner, `"`)
	}
	n, err := strconv.Atoi(inner)
	if !ok || err != nil || n < 1 || strconv.Itoa(n) != inner {
		return 0, quire.Errorf(quire.EINVALID, "If-Match must name one note version, such as \"3\" in quotes.")
	}
	return n, nil
}

// conflictBody is the 409 of a stale conditional update: the error shape
// with the note's current version.
type conflictBody struct {
	Error conflictDetail `json:"error"`
}

type conflictDetail struct {
	Code           string `json:"code"`
	Message        string `json:"message"`
	CurrentVersion int    `json:"currentVersion"`
}

// update answers PATCH /api/v1/notes/{id}. With If-Match or a version
// field the write happens only at that version; a stale one gets 409
// version_conflict with the current version and changes nothing.
func (h *notesAPI) update(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.caller(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if !quire.ValidID(id) {
		return errNoNote()
	}
	header, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in *updateNoteBody
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in == nil {
		return quire.Errorf(quire.EINVALID, "Request body must be a JSON object: the fields to change.")
	}
	upd, err := in.noteUpdate()
	if err != nil {
		return err
	}
	upd.IfVersion = header
	if in.Version.Set {
		if in.Version.V < 1 {
			return quire.Errorf(quire.EINVALID, "Field \"version\" must be a note version, 1 or more.")
		}
		if header != 0 && header != in.Version.V {
			return quire.Errorf(quire.EINVALID, "If-Match and the version field name different versions.")
		}
		upd.IfVersion = in.Version.V
	}
	n, err := h.notes.UpdateNote(r.Context(), ws, id, upd)
	// In a shared folder every write is conditional (sharing.FolderNotes).
	if quire.ErrorCode(err) == quire.ECONFLICT && (upd.IfVersion != 0 || h.grant != nil) {
		return h.conflict(w, r, ws, id, upd.IfVersion, err)
	} else if err != nil {
		return noteError(err)
	}
	w.Header().Set("ETag", etag(n.Version))
	return JSON(w, http.StatusOK, noteBody(n))
}

// conflict answers a stale conditional update with the current version.
func (h *notesAPI) conflict(w http.ResponseWriter, r *http.Request, ws, id string, asked int, cause error) error {
	cur, err := h.notes.FindNoteByID(r.Context(), ws, id)
	if err != nil {
		return noteError(err) // deleted meanwhile
	}
	h.s.logger.DebugContext(r.Context(), "request rejected", "code", EVERSIONCONFLICT, "status", http.StatusConflict,
		"method", r.Method, "route", r.Pattern, "error", cause)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("ETag", etag(cur.Version))
	msg := fmt.Sprintf("The note was changed: you edited version %d, it is now at version %d. Reload it and apply your change again.", asked, cur.Version)
	if asked == 0 {
		msg = fmt.Sprintf("The note was changed while you saved: it is now at version %d. Reload it and apply your change again.", cur.Version)
	}
	return JSON(w, http.StatusConflict, conflictBody{Error: conflictDetail{Code: EVERSIONCONFLICT, Message: msg, CurrentVersion: cur.Version}})
}

// delete answers DELETE /api/v1/notes/{id} with 204.
func (h *notesAPI) delete(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.caller(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if !quire.ValidID(id) {
		return errNoNote()
	}
	if err := h.notes.DeleteNote(r.Context(), ws, id); err != nil {
		return noteError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
