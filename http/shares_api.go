package http

import (
	"net/http"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/sharing"
)

// maxShareBody caps the bodies of the sharing routes: an address, a
// permission or a token.
const maxShareBody = 4 << 10

// registerShares registers folder sharing: the owner's routes under
// /api/v1/folders/{id}/shares, the invitee's under /api/v1/invitations,
// the grantee's under /api/v1/shared (the folders shared with them and
// their notes and ideas), and the invitation page /invite. They need
// Config.Auth, Workspaces, Notes, Ideas and Sharing; without them nothing
// is registered.
func (s *Server) registerShares() {
	c := s.cfg
	if c.Auth == nil || c.Workspaces == nil || c.Notes == nil || c.Ideas == nil || c.Sharing == nil {
		return
	}
	h := &sharesAPI{s: s, sharing: c.Sharing}
	s.Mount("POST /api/v1/folders/{id}/shares", BodyLimit(maxShareBody, s.handlerFunc(h.invite)))
	s.Handle("GET /api/v1/folders/{id}/shares", h.list)
	s.Handle("GET /api/v1/folders/{id}/shares/{share}", h.get)
	s.Mount("PATCH /api/v1/folders/{id}/shares/{share}", BodyLimit(maxShareBody, s.handlerFunc(h.setPermission)))
	s.Handle("DELETE /api/v1/folders/{id}/shares/{share}", h.revoke)
	s.Mount("POST /api/v1/invitations/preview", BodyLimit(maxShareBody, s.handlerFunc(h.preview)))
	s.Mount("POST /api/v1/invitations/accept", BodyLimit(maxShareBody, s.handlerFunc(h.accept)))
	s.Handle("GET /api/v1/shared", h.shared)
	s.Handle("GET /api/v1/shared/{share}", h.folder)
	s.Handle("DELETE /api/v1/shared/{share}", h.leave)
	s.registerSharedContent(h)
	s.registerInvitePage(h)
}

type sharesAPI struct {
	s       *Server
	sharing *sharing.Service
}

// shareJSON is a share as its folder's owner sees it. Status is pending,
// expired or accepted; ExpiresAt is there while it is not accepted,
// AcceptedAt once it is.
type shareJSON struct {
	ID         string                `json:"shareId"`
	FolderID   string                `json:"folderId"`
	Email      string                `json:"email"`
	Permission quire.SharePermission `json:"permission"`
	Status     string                `json:"status"`
	CreatedAt  time.Time             `json:"createdAt"`
	ExpiresAt  *time.Time            `json:"expiresAt,omitempty"`
	AcceptedAt *time.Time            `json:"acceptedAt,omitempty"`
}

func shareBody(sh *quire.FolderShare, now time.Time) shareJSON {
	out := shareJSON{ID: sh.ID, FolderID: sh.FolderID, Email: sh.Email, Permission: sh.Permission, CreatedAt: sh.CreatedAt}
	switch {
	case !sh.Pending():
		out.Status = "accepted"
		at := sh.AcceptedAt
		out.AcceptedAt = &at
	case !now.Before(sh.ExpiresAt):
		out.Status = "expired"
	default:
		out.Status = "pending"
	}
	if sh.Pending() {
		at := sh.ExpiresAt
		out.ExpiresAt = &at
	}
	return out
}

// owner returns the signed-in caller and the path's folder ID, refusing
// any query.
func (h *sharesAPI) owner(r *http.Request) (string, string, error) {
	a, err := requireActor(r)
	if err != nil {
		return "", "", err
	}
	if err := checkQuery(r); err != nil {
		return "", "", err
	}
	return a.UserID, r.PathValue("id"), nil
}

// inviteBody is the body of POST /api/v1/folders/{id}/shares.
type inviteBody struct {
	Email      string                `json:"email"`
	Permission quire.SharePermission `json:"permission"`
}

// invite answers POST /api/v1/folders/{id}/shares {email, permission}
// with 201 and the share: the invitation is emailed, its link shown to no
// one else. Inviting an address again renews its pending invitation: 200.
func (h *sharesAPI) invite(w http.ResponseWriter, r *http.Request) error {
	user, folder, err := h.owner(r)
	if err != nil {
		return err
	}
	var in *inviteBody
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in == nil {
		return quire.Errorf(quire.EINVALID, "Request body must be a JSON object: {\"email\", \"permission\"}.")
	}
	sh, renewed, err := h.sharing.Invite(r.Context(), user, folder, in.Email, in.Permission, h.s.publicBase(r))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/folders/"+folder+"/shares/"+sh.ID)
	status := http.StatusCreated
	if renewed {
		status = http.StatusOK
	}
	return JSON(w, status, shareBody(sh, time.Now()))
}

// get answers GET /api/v1/folders/{id}/shares/{share} with the share.
func (h *sharesAPI) get(w http.ResponseWriter, r *http.Request) error {
	user, folder, err := h.owner(r)
	if err != nil {
		return err
	}
	sh, err := h.sharing.Share(r.Context(), user, folder, r.PathValue("share"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusOK, shareBody(sh, time.Now()))
}

// list answers GET /api/v1/folders/{id}/shares with the folder's shares.
func (h *sharesAPI) list(w http.ResponseWriter, r *http.Request) error {
	user, folder, err := h.owner(r)
	if err != nil {
		return err
	}
	list, err := h.sharing.Shares(r.Context(), user, folder)
	if err != nil {
		return err
	}
	now := time.Now()
	out := make([]shareJSON, 0, len(list))
	for _, sh := range list {
		out = append(out, shareBody(sh, now))
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusOK, map[string]any{"shares": out})
}

// permissionBody is the body of PATCH /api/v1/folders/{id}/shares/{share}.
type permissionBody struct {
	Permission quire.SharePermission `json:"permission"`
}

// setPermission answers PATCH /api/v1/folders/{id}/shares/{share}
// {permission} with the changed share.
func (h *sharesAPI) setPermission(w http.ResponseWriter, r *http.Request) error {
	user, folder, err := h.owner(r)
	if err != nil {
		return err
	}
	var in *permissionBody
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in == nil {
		return quire.Errorf(quire.EINVALID, "Request body must be a JSON object: {\"permission\"}.")
	}
	sh, err := h.sharing.SetPermission(r.Context(), user, folder, r.PathValue("share"), in.Permission)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, shareBody(sh, time.Now()))
}

// revoke answers DELETE /api/v1/folders/{id}/shares/{share} with 204.
func (h *sharesAPI) revoke(w http.ResponseWriter, r *http.Request) error {
	user, folder, err := h.owner(r)
	if err != nil {
		return err
	}
	if err := h.sharing.Revoke(r.Context(), user, folder, r.PathValue("share")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// tokenBody is the body of the invitation routes: the token of the link.
type tokenBody struct {
	Token string `json:"token"`
}

func decodeToken(r *http.Request) (string, error) {
	if err := checkQuery(r); err != nil {
		return "", err
	}
	var in *tokenBody
	if err := decodeStrict(r, &in); err != nil {
		return "", err
	}
	if in == nil || in.Token == "" {
		return "", quire.Errorf(quire.EINVALID, "Request body must be a JSON object: {\"token\"}, the token of the invitation link.")
	}
	return in.Token, nil
}

// preview answers POST /api/v1/invitations/preview {token} with who sent
// the invitation, what it grants and whether it expired. It needs no
// sign-in: the person invited may have no account yet.
func (h *sharesAPI) preview(w http.ResponseWriter, r *http.Request) error {
	token, err := decodeToken(r)
	if err != nil {
		return err
	}
	inv, err := h.sharing.Preview(r.Context(), token)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusOK, inv)
}

// accept answers POST /api/v1/invitations/accept {token} with the folder
// now shared with the caller, who must be signed in with the address the
// invitation was sent to.
func (h *sharesAPI) accept(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	token, err := decodeToken(r)
	if err != nil {
		return err
	}
	f, err := h.sharing.Accept(r.Context(), a.UserID, token)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, f)
}

// grantee returns the signed-in caller, refusing any query.
func (h *sharesAPI) grantee(r *http.Request) (string, error) {
	a, err := requireActor(r)
	if err != nil {
		return "", err
	}
	return a.UserID, checkQuery(r)
}

// shared answers GET /api/v1/shared with the folders shared with the
// caller.
func (h *sharesAPI) shared(w http.ResponseWriter, r *http.Request) error {
	user, err := h.grantee(r)
	if err != nil {
		return err
	}
	list, err := h.sharing.SharedWithMe(r.Context(), user)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusOK, map[string]any{"folders": list})
}

// folder answers GET /api/v1/shared/{share} with one folder shared with
// the caller.
func (h *sharesAPI) folder(w http.ResponseWriter, r *http.Request) error {
	user, err := h.grantee(r)
	if err != nil {
		return err
	}
	f, err := h.sharing.Folder(r.Context(), user, r.PathValue("share"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusOK, f)
}

// leave answers DELETE /api/v1/shared/{share} with 204: the caller gives
// the share up.
func (h *sharesAPI) leave(w http.ResponseWriter, r *http.Request) error {
	user, err := h.grantee(r)
	if err != nil {
		return err
	}
	if err := h.sharing.Leave(r.Context(), user, r.PathValue("share")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
