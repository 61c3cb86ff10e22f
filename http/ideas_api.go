package http

import (
	"net/http"
	"time"

	"github.com/quirehq/quire"
)

// Paging of GET /api/v1/ideas.
const (
	defaultIdeaLimit = 50
	maxIdeaLimit     = 200
	maxIdeaOffset    = 1 << 20
)

// maxIdeaBody caps the body of POST and PATCH on ideas: the longest text
// with every character escaped as a surrogate pair (12 bytes), and the
// other fields.
const maxIdeaBody = 12*quire.MaxIdeaText + 4<<10

// noFolder is the folderId filter value that selects ideas in no folder;
// it cannot be an identifier.
const noFolder = "none"

// registerIdeas registers the idea routes of the JSON API. Like the notes
// routes they act in the caller's own workspace; an idea of any other
// workspace is not found. The export names folders, so they need
// Config.Folders besides Config.Ideas, Config.Auth and Config.Workspaces;
// without them nothing is registered.
func (s *Server) registerIdeas(ideas quire.IdeaService, folders quire.FolderService) {
	if s.cfg.Auth == nil || s.cfg.Workspaces == nil || ideas == nil || folders == nil {
		return
	}
	h := &ideasAPI{s: s, ideas: ideas, folders: folders}
	s.Handle("GET /api/v1/ideas", h.list)
	s.Mount("POST /api/v1/ideas", BodyLimit(maxIdeaBody, s.handlerFunc(h.create)))
	s.Handle("GET /api/v1/ideas/export", h.export)
	s.Mount("POST /api/v1/ideas/bulk", BodyLimit(maxBulkBody, s.handlerFunc(h.bulk)))
	s.Handle("GET /api/v1/ideas/{id}", h.get)
	s.Mount("PATCH /api/v1/ideas/{id}", BodyLimit(maxIdeaBody, s.handlerFunc(h.update)))
	s.Handle("DELETE /api/v1/ideas/{id}", h.delete)
	s.Mount("POST /api/v1/ideas/{id}/promote", BodyLimit(maxEmptyBody, s.handlerFunc(h.promote)))
}

type ideasAPI struct {
	s       *Server
	ideas   quire.IdeaService
	folders quire.FolderService
	// grant is set on the routes of a folder shared with the caller
	// (/api/v1/shared/{share}/ideas): ideas is then restricted to it.
	grant *quire.ShareGrant
}

// caller returns the signed-in caller's own workspace, or the shared
// folder's workspace on the shared routes.
func (h *ideasAPI) caller(r *http.Request) (string, error) {
	if h.grant != nil {
		return h.grant.WorkspaceID, nil
	}
	return h.s.callerWorkspace(r)
}

// sharedPath prefixes path with the shared folder's routes on them.
func (h *ideasAPI) sharedPath(path string) string {
	if h.grant != nil {
		return "/api/v1/shared/" + h.grant.ShareID + path
	}
	return "/api/v1" + path
}

// errNoIdea answers alike for a malformed ID, a deleted idea and another
// workspace's idea, so that no response confirms an ID exists (ISO-1).
func errNoIdea() error { return quire.Errorf(quire.ENOTFOUND, "Idea not found.") }

// ideaError replaces a store's not-found error with errNoIdea.
func ideaError(err error) error {
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		return errNoIdea()
	}
	return err
}

// ideaJSON is an idea as the API shows it; FolderID is null outside a
// folder.
type ideaJSON struct {
	ID        string    `json:"ideaId"`
	Text      string    `json:"text"`
	FolderID  *string   `json:"folderId"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func ideaBody(i *quire.Idea) ideaJSON {
	out := ideaJSON{ID: i.ID, Text: i.Text, CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt}
	if i.FolderID != "" {
		f := i.FolderID
		out.FolderID = &f
	}
	return out
}

// folderFilter parses the optional folderId query parameter: a folder
// ID, or "none" for the ideas in no folder.
func folderFilter(r *http.Request) (*string, error) {
	q := r.URL.Query()
	if !q.Has("folderId") {
		return nil, nil
	}
	id := q.Get("folderId")
	if id == noFolder {
		id = ""
	} else if !quire.ValidID(id) {
		return nil, quire.Errorf(quire.EINVALID, "Query parameter \"folderId\" must be a folder ID or %q.", noFolder)
	}
	return &id, nil
}

// list answers GET /api/v1/ideas?folderId=&limit=&offset=, newest first.
func (h *ideasAPI) list(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.caller(r)
	if err != nil {
		return err
	}
	if err := checkQuery(r, "folderId", "limit", "offset"); err != nil {
		return err
	}
	f := quire.IdeaFilter{WorkspaceID: ws}
	if f.FolderID, err = folderFilter(r); err != nil {
		return err
	}
	if f.Limit, err = queryInt(r, "limit", defaultIdeaLimit, maxIdeaLimit); err != nil {
		return err
	} else if f.Limit == 0 {
		return quire.Errorf(quire.EINVALID, "Query parameter \"limit\" must be a whole number from 1 to %d.", maxIdeaLimit)
	}
	if f.Offset, err = queryInt(r, "offset", 0, maxIdeaOffset); err != nil {
		return err
	}
	list, total, err := h.ideas.FindIdeas(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]ideaJSON, 0, len(list))
	for _, i := range list {
		out = append(out, ideaBody(i))
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusOK, map[string]any{"ideas": out, "total": total})
}

// createIdeaBody is the body of POST /api/v1/ideas: text alone is a quick
// capture; folderId null or absent means no folder.
type createIdeaBody struct {
	Text     *string `json:"text"`
	FolderID *string `json:"folderId"`
}

// create answers POST /api/v1/ideas with 201 {"ideaId"}.
func (h *ideasAPI) create(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.caller(r)
	if err != nil {
		return err
	}
	if err := checkQuery(r); err != nil {
		return err
	}
	var in *createIdeaBody
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in == nil || in.Text == nil {
		return quire.Errorf(quire.EINVALID, "Request body must be a JSON object with the field \"text\".")
	}
	i := &quire.Idea{WorkspaceID: ws, Text: *in.Text}
	if in.FolderID != nil {
		if *in.FolderID == "" {
			return quire.Errorf(quire.EINVALID, "Field \"folderId\" must be a folder ID or null.")
		}
		i.FolderID = *in.FolderID
	}
	if err := h.ideas.CreateIdea(r.Context(), i); err != nil {
		return err
	}
	w.Header().Set("Location", h.sharedPath("/ideas/"+i.ID))
	return JSON(w, http.StatusCreated, map[string]string{"ideaId": i.ID})
}
