package http

import (
	"net/http"
	"time"

	"github.com/quirehq/quire"
)

// maxFolderBody caps the body of POST and PATCH on folders: the longest
// name with every character escaped as a surrogate pair (12 bytes), and
// the JSON around it.
const maxFolderBody = 12*quire.MaxFolderName + 1<<10

// registerFolders registers the folder routes of the JSON API on folders.
// Like the notes routes they act in the caller's own workspace; a folder
// of any other workspace is not found. They need Config.Auth and
// Config.Workspaces; without them nothing is registered.
func (s *Server) registerFolders(folders quire.FolderService) {
	if s.cfg.Auth == nil || s.cfg.Workspaces == nil || folders == nil {
		return
	}
	h := &foldersAPI{s: s, folders: folders}
	s.Handle("GET /api/v1/folders", h.list)
	s.Mount("POST /api/v1/folders", BodyLimit(maxFolderBody, s.handlerFunc(h.create)))
	s.Handle("GET /api/v1/folders/{id}", h.get)
	s.Mount("PATCH /api/v1/folders/{id}", BodyLimit(maxFolderBody, s.handlerFunc(h.rename)))
	s.Handle("DELETE /api/v1/folders/{id}", h.delete)
}

type foldersAPI struct {
	s       *Server
	folders quire.FolderService
}

// callerWorkspace returns the signed-in caller's own workspace, the one
// the notes, folders and ideas routes act in.
func (s *Server) callerWorkspace(r *http.Request) (string, error) {
	a, err := requireActor(r)
	if err != nil {
		return "", err
	}
	return s.ownWorkspace(r.Context(), a.UserID)
}

// errNoFolder answers alike for a malformed ID, a deleted folder and
// another workspace's folder, so that no response confirms an ID exists.
func errNoFolder() error { return quire.Errorf(quire.ENOTFOUND, "Folder not found.") }

// folderError replaces a store's not-found error with errNoFolder.
func folderError(err error) error {
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		return errNoFolder()
	}
	return err
}

// folderJSON is a folder as the API shows it, with the number of notes
// and ideas in it.
type folderJSON struct {
	ID        string    `json:"folderId"`
	Name      string    `json:"name"`
	Notes     int       `json:"noteCount"`
	Ideas     int       `json:"ideaCount"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func folderBody(f *quire.Folder) folderJSON {
	return folderJSON{ID: f.ID, Name: f.Name, Notes: f.Notes, Ideas: f.Ideas, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

// folderNameBody is the body of POST and PATCH on folders.
type folderNameBody struct {
	Name *string `json:"name"`
}

// decodeFolderName reads a strict {"name": "…"} body.
func decodeFolderName(r *http.Request) (string, error) {
	var in *folderNameBody
	if err := decodeStrict(r, &in); err != nil {
		return "", err
	}
	if in == nil || in.Name == nil {
		return "", quire.Errorf(quire.EINVALID, "Request body must be a JSON object with the field \"name\".")
	}
	return *in.Name, nil
}

// list answers GET /api/v1/folders: every folder in name order, with its
// counts.
func (h *foldersAPI) list(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.s.callerWorkspace(r)
	if err != nil {
		return err
	}
	if err := checkQuery(r); err != nil {
		return err
	}
	list, err := h.folders.FindFolders(r.Context(), ws)
	if err != nil {
		return err
	}
	out := make([]folderJSON, 0, len(list))
	for _, f := range list {
		out = append(out, folderBody(f))
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusOK, map[string]any{"folders": out, "total": len(out)})
}

// create answers POST /api/v1/folders {name} with 201 {"folderId"}.
func (h *foldersAPI) create(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.s.callerWorkspace(r)
	if err != nil {
		return err
	}
	if err := checkQuery(r); err != nil {
		return err
	}
	name, err := decodeFolderName(r)
	if err != nil {
		return err
	}
	f := &quire.Folder{WorkspaceID: ws, Name: name}
	if err := h.folders.CreateFolder(r.Context(), f); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/folders/"+f.ID)
	return JSON(w, http.StatusCreated, map[string]string{"folderId": f.ID})
}

// folderID returns the caller's workspace and the route's folder ID; a
// malformed ID is not found.
func (h *foldersAPI) folderID(r *http.Request, query ...string) (string, string, error) {
	ws, err := h.s.callerWorkspace(r)
	if err != nil {
		return "", "", err
	}
	if err := checkQuery(r, query...); err != nil {
		return "", "", err
	}
	id := r.PathValue("id")
	if !quire.ValidID(id) {
		return "", "", errNoFolder()
	}
	return ws, id, nil
}

// get answers GET /api/v1/folders/{id}.
func (h *foldersAPI) get(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := h.folderID(r)
	if err != nil {
		return err
	}
	f, err := h.folders.FindFolderByID(r.Context(), ws, id)
	if err != nil {
		return folderError(err)
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	return JSON(w, http.StatusOK, folderBody(f))
}

// rename answers PATCH /api/v1/folders/{id} {name} with the folder.
func (h *foldersAPI) rename(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := h.folderID(r)
	if err != nil {
		return err
	}
	name, err := decodeFolderName(r)
	if err != nil {
		return err
	}
	f, err := h.folders.RenameFolder(r.Context(), ws, id, name)
	if err != nil {
		return folderError(err)
	}
	return JSON(w, http.StatusOK, folderBody(f))
}

// delete answers DELETE /api/v1/folders/{id}?contents=unfile|delete with
// what became of the contents: unfile (the default) moves the folder's
// notes and ideas to no folder, delete deletes them with it; either way
// in one transaction.
func (h *foldersAPI) delete(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := h.folderID(r, "contents")
	if err != nil {
		return err
	}
	contents := quire.FolderContents(r.URL.Query().Get("contents"))
	if r.URL.Query().Has("contents") && !contents.Valid() {
		return quire.Errorf(quire.EINVALID, "Query parameter \"contents\" must be unfile or delete.")
	}
	del, err := h.folders.DeleteFolder(r.Context(), ws, id, contents)
	if err != nil {
		return folderError(err)
	}
	return JSON(w, http.StatusOK, map[string]any{"folderId": id, "contents": del.Contents, "notes": del.Notes, "ideas": del.Ideas})
}
