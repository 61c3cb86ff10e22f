package http

import (
	"bytes"
	"io"
	"net/http"

	"github.com/quirehq/quire"
)

// maxBulkBody caps the body of POST /api/v1/ideas/bulk: the most IDs, each
// character escaped (6 bytes) and quoted, and the other fields.
const maxBulkBody = quire.MaxBulkIdeas*(6*26+3) + 4<<10

// maxEmptyBody caps the body of routes that take none but accept "{}".
const maxEmptyBody = 1 << 10

// ideaID returns the caller's workspace and the route's idea ID; a
// malformed ID is not found.
func (h *ideasAPI) ideaID(r *http.Request) (string, string, error) {
	ws, err := h.caller(r)
	if err != nil {
		return "", "", err
	}
	if err := checkQuery(r); err != nil {
		return "", "", err
	}
	id := r.PathValue("id")
	if !quire.ValidID(id) {
		return "", "", errNoIdea()
	}
	return ws, id, nil
}

// get answers GET /api/v1/ideas/{id}.
func (h *ideasAPI) get(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := h.ideaID(r)
	if err != nil {
		return err
	}
	i, err := h.ideas.FindIdeaByID(r.Context(), ws, id)
	if err != nil {
		return ideaError(err)
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	return JSON(w, http.StatusOK, ideaBody(i))
}

// updateIdeaBody is the body of PATCH /api/v1/ideas/{id}.
type updateIdeaBody struct {
	Text     opt[string] `json:"text"`
	FolderID opt[string] `json:"folderId"`
}

// ideaUpdate turns the body into a quire.IdeaUpdate; only folderId may be
// null (out of any folder).
func (in *updateIdeaBody) ideaUpdate() (quire.IdeaUpdate, error) {
	var u quire.IdeaUpdate
	if in.Text.Null {
		return u, quire.Errorf(quire.EINVALID, "Field \"text\" may not be null.")
	}
	if in.Text.Set {
		u.Text = &in.Text.V
	}
	if in.FolderID.Set {
		if !in.FolderID.Null && in.FolderID.V == "" {
			return u, quire.Errorf(quire.EINVALID, "Field \"folderId\" must be a folder ID or null.")
		}
		u.FolderID = &in.FolderID.V // "" when null
	}
	if u.Text == nil && u.FolderID == nil {
		return u, quire.Errorf(quire.EINVALID, "Nothing to change: give text, folderId or both.")
	}
	return u, nil
}

// update answers PATCH /api/v1/ideas/{id} with the idea.
func (h *ideasAPI) update(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := h.ideaID(r)
	if err != nil {
		return err
	}
	var in *updateIdeaBody
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in == nil {
		return quire.Errorf(quire.EINVALID, "Request body must be a JSON object: the fields to change.")
	}
	upd, err := in.ideaUpdate()
	if err != nil {
		return err
	}
	i, err := h.ideas.UpdateIdea(r.Context(), ws, id, upd)
	if err != nil {
		return ideaError(err)
	}
	return JSON(w, http.StatusOK, ideaBody(i))
}

// delete answers DELETE /api/v1/ideas/{id} with 204.
func (h *ideasAPI) delete(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := h.ideaID(r)
	if err != nil {
		return err
	}
	if err := h.ideas.DeleteIdea(r.Context(), ws, id); err != nil {
		return ideaError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// bulkBody is the body of POST /api/v1/ideas/bulk.
type bulkBody struct {
	Action   *string     `json:"action"`
	IDs      []string    `json:"ids"`
	FolderID opt[string] `json:"folderId"`
}

// bulk answers POST /api/v1/ideas/bulk {action: "move"|"delete", ids,
// folderId (move only; null for no folder)}, all or nothing: if one ID is
// unknown or another workspace's, the answer is 404 and nothing changed.
func (h *ideasAPI) bulk(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.caller(r)
	if err != nil {
		return err
	}
	if err := checkQuery(r); err != nil {
		return err
	}
	var in *bulkBody
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in == nil || in.Action == nil || in.IDs == nil {
		return quire.Errorf(quire.EINVALID, "Request body must be a JSON object with the fields \"action\" and \"ids\".")
	}
	if err := quire.ValidateIdeaIDs(in.IDs); err != nil {
		return err
	}
	switch *in.Action {
	case "move":
		if !in.FolderID.Set || !in.FolderID.Null && in.FolderID.V == "" {
			return quire.Errorf(quire.EINVALID, "Field \"folderId\" must be a folder ID, or null for no folder, to move ideas.")
		}
		err = h.ideas.MoveIdeas(r.Context(), ws, in.IDs, in.FolderID.V)
	case "delete":
		if in.FolderID.Set {
			return quire.Errorf(quire.EINVALID, "Field \"folderId\" is only for the move action.")
		}
		err = h.ideas.DeleteIdeas(r.Context(), ws, in.IDs)
	default:
		return quire.Errorf(quire.EINVALID, "Field \"action\" must be move or delete.")
	}
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, map[string]any{"action": *in.Action, "count": len(in.IDs)})
}

// promote answers POST /api/v1/ideas/{id}/promote with 201 {"noteId"}:
// in one transaction the idea becomes a note (title its first line,
// content its text, in its folder) and is deleted. The body must be
// empty or {}.
func (h *ideasAPI) promote(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := h.ideaID(r)
	if err != nil {
		return err
	}
	if err := emptyBody(r); err != nil {
		return err
	}
	n, err := h.ideas.PromoteIdea(r.Context(), ws, id)
	if err != nil {
		return ideaError(err)
	}
	w.Header().Set("Location", h.sharedPath("/notes/"+n.ID))
	w.Header().Set("ETag", etag(n.Version))
	return JSON(w, http.StatusCreated, map[string]string{"noteId": n.ID})
}

// emptyBody accepts a request body that is empty (or white space) or the
// empty JSON object, and refuses anything else.
func emptyBody(r *http.Request) error {
	if r.Body == nil {
		return nil
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeError(err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	var in *struct{}
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in == nil {
		return quire.Errorf(quire.EINVALID, "Request body must be empty or {}.")
	}
	return nil
}
