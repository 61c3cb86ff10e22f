package http

import (
	"context"
	"net/http"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/files"
)

// Codes of the upload route, beside the quire error codes.
const (
	// EMULTIPARTREQUIRED is an upload whose body is not
	// multipart/form-data with a boundary.
	EMULTIPARTREQUIRED = "multipart_required"
	// EFILEMISSING is an upload form without a file part.
	EFILEMISSING = "file_missing"
	// ETOOMANYFILES is an upload form with more than one file part.
	ETOOMANYFILES = "too_many_files"
)

// Limits of the file routes.
const (
	defaultFileLimit = 50
	maxFileLimit     = 200
	maxFileOffset    = 1 << 20
	// uploadOverhead is what an upload's body may hold beside the file:
	// boundaries, part headers and the noteId field.
	uploadOverhead = 64 << 10
	// maxFilePatchBody caps PATCH bodies: the longest name, each byte
	// escaped as \u00XX at worst, and the other field.
	maxFilePatchBody = 6*quire.MaxFileName + 1<<10
)

// registerFiles registers the file routes of the JSON API. Like the notes
// routes they act in the caller's own workspace; a file of any other
// workspace is not found. They need Config.Auth and Config.Workspaces;
// without them, or without files, nothing is registered.
func (s *Server) registerFiles(svc *files.Service) {
	if s.cfg.Auth == nil || s.cfg.Workspaces == nil || svc == nil {
		return
	}
	h := &filesAPI{s: s, files: svc}
	s.Mount("POST /api/v1/files", BodyLimit(svc.MaxSize()+uploadOverhead, s.handlerFunc(h.upload)))
	s.Handle("GET /api/v1/files", h.list)
	s.Handle("GET /api/v1/files/{id}", h.get)
	s.Handle("GET /api/v1/files/{id}/content", h.content)
	s.Mount("PATCH /api/v1/files/{id}", BodyLimit(maxFilePatchBody, s.handlerFunc(h.update)))
	s.Handle("DELETE /api/v1/files/{id}", h.delete)
}

type filesAPI struct {
	s     *Server
	files *files.Service
}

// notesWithFiles returns notes whose DeleteNote also deletes the note's
// files (files.Service.DeleteForNote), or notes itself when there is no
// file service.
func notesWithFiles(notes quire.NoteService, svc *files.Service) quire.NoteService {
	if notes == nil || svc == nil {
		return notes
	}
	return noteFiles{NoteService: notes, files: svc}
}

// noteFiles is a note store whose note deletes take the notes' files along.
type noteFiles struct {
	quire.NoteService
	files *files.Service
}

// DeleteNote deletes the note and its files.
func (n noteFiles) DeleteNote(ctx context.Context, workspaceID, id string) error {
	return n.files.DeleteForNote(ctx, workspaceID, id, func(ctx context.Context) error {
		return n.NoteService.DeleteNote(ctx, workspaceID, id)
	})
}

// errNoFile answers alike for a malformed ID, a deleted file and another
// workspace's file, so that no response confirms an ID exists (ISO-1).
func errNoFile() error { return quire.ErrFileNotFound() }

// fileJSON is a file's metadata as the API shows it; NoteID is null for a
// file attached to no note.
type fileJSON struct {
	ID        string    `json:"fileId"`
	Name      string    `json:"name"`
	MediaType string    `json:"mediaType"`
	Size      int64     `json:"size"`
	NoteID    *string   `json:"noteId"`
	CreatedAt time.Time `json:"createdAt"`
}

func fileBody(f *quire.File) fileJSON {
	out := fileJSON{ID: f.ID, Name: f.Name, MediaType: f.MediaType, Size: f.Size, CreatedAt: f.CreatedAt}
	if f.NoteID != "" {
		n := f.NoteID
		out.NoteID = &n
	}
	return out
}

// list answers GET /api/v1/files?noteId=&limit=&offset=, newest first.
func (h *filesAPI) list(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.s.callerWorkspace(r)
	if err != nil {
		return err
	}
	if err := checkQuery(r, "noteId", "limit", "offset"); err != nil {
		return err
	}
	f := quire.FileFilter{WorkspaceID: ws}
	if q := r.URL.Query(); q.Has("noteId") {
		id := q.Get("noteId")
		if !quire.ValidID(id) {
			return quire.Errorf(quire.EINVALID, "Query parameter \"noteId\" is not a valid identifier.")
		}
		f.NoteID = &id
	}
	if f.Limit, err = queryInt(r, "limit", defaultFileLimit, maxFileLimit); err != nil {
		return err
	}
	if f.Limit == 0 {
		return quire.Errorf(quire.EINVALID, "Query parameter \"limit\" must be a whole number from 1 to %d.", maxFileLimit)
	}
	if f.Offset, err = queryInt(r, "offset", 0, maxFileOffset); err != nil {
		return err
	}
	list, total, err := h.files.List(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]fileJSON, 0, len(list))
	for _, file := range list {
		out = append(out, fileBody(file))
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusOK, map[string]any{"files": out, "total": total})
}
