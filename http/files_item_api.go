package http

import (
	"net/http"

	"github.com/quirehq/quire"
)

// target returns the caller's workspace and the file ID of the path, or
// errNoFile for an ID that cannot exist.
func (h *filesAPI) target(r *http.Request) (string, string, error) {
	ws, err := h.s.callerWorkspace(r)
	if err != nil {
		return "", "", err
	}
	id := r.PathValue("id")
	if !quire.ValidID(id) {
		return "", "", errNoFile()
	}
	return ws, id, nil
}

// get answers GET /api/v1/files/{id} with the file's metadata.
func (h *filesAPI) get(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := h.target(r)
	if err != nil {
		return err
	}
	if err := checkQuery(r); err != nil {
		return err
	}
	f, err := h.files.Find(r.Context(), ws, id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	return JSON(w, http.StatusOK, fileBody(f))
}

// updateFileBody is the body of PATCH /api/v1/files/{id}.
type updateFileBody struct {
	Name   opt[string] `json:"name"`
	NoteID opt[string] `json:"noteId"`
}

// update answers PATCH /api/v1/files/{id}: rename, attach to a note of
// the workspace, or detach (noteId null).
func (h *filesAPI) update(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := h.target(r)
	if err != nil {
		return err
	}
	var in *updateFileBody
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in == nil || !in.Name.Set && !in.NoteID.Set {
		return quire.Errorf(quire.EINVALID, "Nothing to change: give name, noteId, or both.")
	}
	var upd quire.FileUpdate
	if in.Name.Set {
		if in.Name.Null {
			return quire.Errorf(quire.EINVALID, "Field \"name\" may not be null.")
		}
		upd.Name = &in.Name.V
	}
	if in.NoteID.Set {
		if !in.NoteID.Null && !quire.ValidID(in.NoteID.V) {
			return quire.Errorf(quire.EINVALID, "Field \"noteId\" must be a note ID or null.")
		}
		upd.NoteID = &in.NoteID.V // "" when null: detach
	}
	f, err := h.files.Update(r.Context(), ws, id, upd)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, fileBody(f))
}

// delete answers DELETE /api/v1/files/{id} with 204.
func (h *filesAPI) delete(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := h.target(r)
	if err != nil {
		return err
	}
	if err := h.files.Delete(r.Context(), ws, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
