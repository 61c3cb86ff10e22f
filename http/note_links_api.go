package http

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/quirehq/quire"
)

// maxNoteLinkBody caps the body of POST /api/v1/notes/{id}/link.
const maxNoteLinkBody = 1 << 10

// registerNoteLinks registers the public note link routes: the JSON API
// that makes, shows and revokes a note's link, in the caller's own
// workspace as the notes routes, and the public page GET /s/{token}, which
// needs no session. They need Config.Auth, Workspaces, Notes, NoteLinks and
// BlindIndex; without them nothing is registered.
func (s *Server) registerNoteLinks() {
	c := s.cfg
	if c.Auth == nil || c.Workspaces == nil || c.Notes == nil || c.NoteLinks == nil || c.BlindIndex == nil {
		return
	}
	h := &noteLinksAPI{s: s, notes: c.Notes, links: c.NoteLinks}
	s.Mount("POST /api/v1/notes/{id}/link", BodyLimit(maxNoteLinkBody, s.handlerFunc(h.create)))
	s.Handle("GET /api/v1/notes/{id}/link", h.get)
	s.Handle("DELETE /api/v1/notes/{id}/link", h.delete)
	s.Mount("GET /s/{token}", http.HandlerFunc(h.page))
}

type noteLinksAPI struct {
	s     *Server
	notes quire.NoteService
	links quire.NoteLinkService
}

// newLinkToken returns a new link token: 32 random bytes, base64url
// without padding (43 characters).
func newLinkToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// tokenIndex is the blind index a link token is stored under.
func (h *noteLinksAPI) tokenIndex(token string) []byte {
	return h.s.cfg.BlindIndex(quire.NoteLinkIndexPurpose, []byte(token))
}

// ownNote returns the caller's workspace and the ID of the path's note,
// after checking that the note is in that workspace: any other note is
// errNoNote, as on the notes routes.
func (h *noteLinksAPI) ownNote(r *http.Request) (ws, id string, err error) {
	a, err := requireActor(r)
	if err != nil {
		return "", "", err
	}
	if ws, err = h.s.ownWorkspace(r.Context(), a.UserID); err != nil {
		return "", "", err
	}
	id = r.PathValue("id")
	if !quire.ValidID(id) {
		return "", "", errNoNote()
	}
	if _, err := h.notes.FindNoteByID(r.Context(), ws, id); err != nil {
		return "", "", noteError(err)
	}
	return ws, id, nil
}

// createNoteLinkBody is the body of POST /api/v1/notes/{id}/link.
type createNoteLinkBody struct {
	AllowIndexing bool `json:"allowIndexing"`
}

// create answers POST /api/v1/notes/{id}/link with 201 {url, allowIndexing}:
// a new link, replacing any earlier one. The URL holds the token, shown
// this once.
func (h *noteLinksAPI) create(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := h.ownNote(r)
	if err != nil {
		return err
	}
	var in *createNoteLinkBody
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in == nil {
		return quire.Errorf(quire.EINVALID, "Request body must be a JSON object, {} or {\"allowIndexing\": true}.")
	}
	token := newLinkToken()
	l, err := h.links.CreateNoteLink(r.Context(), ws, id, in.AllowIndexing, h.tokenIndex(token))
	if err != nil {
		return noteError(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusCreated, map[string]any{"url": h.linkBase(r) + "/s/" + token, "allowIndexing": l.AllowIndexing})
}

// linkBase is the public base URL of links: the accounts' configured base
// URL, else this request's host over HTTPS.
func (h *noteLinksAPI) linkBase(r *http.Request) string { return h.s.publicBase(r) }

// publicBase is the base URL of links sent out by email or shown to be
// shared: the accounts' configured base URL, else this request's host
// over HTTPS.
func (s *Server) publicBase(r *http.Request) string {
	if base := s.cfg.Auth.Config().BaseURL; base != "" {
		return strings.TrimRight(base, "/")
	}
	return "https://" + r.Host
}

// noteLinkJSON is a link as GET shows it: never its token.
type noteLinkJSON struct {
	Exists        bool       `json:"exists"`
	AllowIndexing bool       `json:"allowIndexing"`
	CreatedAt     *time.Time `json:"createdAt"`
}

// get answers GET /api/v1/notes/{id}/link with 200 {exists, allowIndexing,
// createdAt}; a note without a link is {"exists": false}.
func (h *noteLinksAPI) get(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := h.ownNote(r)
	if err != nil {
		return err
	}
	out := noteLinkJSON{}
	l, err := h.links.FindNoteLink(r.Context(), ws, id)
	switch {
	case err == nil:
		out = noteLinkJSON{Exists: true, AllowIndexing: l.AllowIndexing, CreatedAt: &l.CreatedAt}
	case quire.ErrorCode(err) != quire.ENOTFOUND:
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusOK, out)
}

// delete answers DELETE /api/v1/notes/{id}/link with 204: the token stops
// working at once. A note without a link is 404 "Note link not found.".
func (h *noteLinksAPI) delete(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := h.ownNote(r)
	if err != nil {
		return err
	}
	if err := h.links.DeleteNoteLink(r.Context(), ws, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
