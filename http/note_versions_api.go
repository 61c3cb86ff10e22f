package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/quirehq/quire"
)

// versionJSON is a note version as the API shows it: the current state
// of the note or a kept earlier one. Content is left out of lists.
type versionJSON struct {
	Version int       `json:"version"`
	Title   string    `json:"title"`
	Content *string   `json:"content,omitempty"`
	SavedAt time.Time `json:"savedAt"`
	Current bool      `json:"current"`
}

// pathVersion parses the {version} path value; 0 if it is not a version.
func pathVersion(r *http.Request) int {
	s := r.PathValue("version")
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 || strconv.Itoa(v) != s {
		return 0
	}
	return v
}

func errNoVersion() error { return quire.Errorf(quire.ENOTFOUND, "Note version not found.") }

// note reads the path's note in the caller's workspace.
func (h *notesAPI) note(r *http.Request) (*quire.Note, error) {
	ws, err := h.caller(r)
	if err != nil {
		return nil, err
	}
	id := r.PathValue("id")
	if !quire.ValidID(id) {
		return nil, errNoNote()
	}
	n, err := h.notes.FindNoteByID(r.Context(), ws, id)
	return n, noteError(err)
}

// versions answers GET /api/v1/notes/{id}/versions: the current state
// first, then the kept versions, newest first, without their contents.
func (h *notesAPI) versions(w http.ResponseWriter, r *http.Request) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	n, err := h.note(r)
	if err != nil {
		return err
	}
	kept, err := h.notes.FindNoteVersions(r.Context(), n.WorkspaceID, n.ID)
	if err != nil {
		return noteError(err)
	}
	out := []versionJSON{{Version: n.Version, Title: n.Title, SavedAt: n.UpdatedAt, Current: true}}
	for _, v := range kept {
		out = append(out, versionJSON{Version: v.Version, Title: v.Title, SavedAt: v.SavedAt})
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusOK, map[string]any{"versions": out})
}

// version reads the path's version of n: the note itself at its current
// version, else a kept one.
func (h *notesAPI) version(r *http.Request, n *quire.Note) (*quire.NoteVersion, error) {
	v := pathVersion(r)
	if v == 0 {
		return nil, errNoVersion()
	}
	if v == n.Version {
		return &quire.NoteVersion{NoteID: n.ID, Version: n.Version, Title: n.Title, Content: n.Content, SavedAt: n.UpdatedAt}, nil
	}
	kept, err := h.notes.FindNoteVersion(r.Context(), n.WorkspaceID, n.ID, v)
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		return nil, errNoVersion()
	}
	return kept, err
}

// getVersion answers GET /api/v1/notes/{id}/versions/{version} with that
// version in full.
func (h *notesAPI) getVersion(w http.ResponseWriter, r *http.Request) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	n, err := h.note(r)
	if err != nil {
		return err
	}
	v, err := h.version(r, n)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusOK, versionJSON{Version: v.Version, Title: v.Title, Content: &v.Content,
		SavedAt: v.SavedAt, Current: v.Version == n.Version})
}

// restore answers POST /api/v1/notes/{id}/versions/{version}/restore: the
// version's title and content are saved as the note's new version (so the
// state it replaces is kept in turn). With If-Match the restore happens
// only at that version, as a PATCH does; without it, only at the version
// read here, so a restore never overwrites a save it did not see.
func (h *notesAPI) restore(w http.ResponseWriter, r *http.Request) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	if n, _ := r.Body.Read(make([]byte, 1)); n > 0 {
		return quire.Errorf(quire.EINVALID, "A restore takes no request body.")
	}
	asked, err := ifMatch(r)
	if err != nil {
		return err
	}
	n, err := h.note(r)
	if err != nil {
		return err
	}
	v, err := h.version(r, n)
	if err != nil {
		return err
	}
	at := n.Version
	if asked != 0 {
		at = asked
	}
	upd := quire.NoteUpdate{Title: &v.Title, Content: &v.Content, IfVersion: at}
	saved, err := h.notes.UpdateNote(r.Context(), n.WorkspaceID, n.ID, upd)
	if quire.ErrorCode(err) == quire.ECONFLICT {
		return h.conflict(w, r, n.WorkspaceID, n.ID, at, err)
	} else if err != nil {
		return noteError(err)
	}
	w.Header().Set("ETag", etag(saved.Version))
	return JSON(w, http.StatusOK, noteBody(saved))
}
