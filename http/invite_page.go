package http

import (
	"net/http"

	"github.com/quirehq/quire"
)

const titleInvite = "A folder was shared with you"

// inviteView is the invitation the page shows.
type inviteView struct {
	Inviter    string
	Permission string
	Expires    string
	Expired    bool
}

// registerInvitePage adds the page an invitation email links to: GET
// /invite?token= shows who shared a folder and, to a signed-in browser, a
// button that accepts it (POST /invite). Like the other emailed links,
// opening it spends nothing: mail scanners fetch links too.
func (s *Server) registerInvitePage(h *sharesAPI) {
	s.page("GET /invite", func(w http.ResponseWriter, r *http.Request) error {
		v := &view{Title: titleInvite, Token: linkToken(r), SignedIn: signedIn(r)}
		inv, err := h.sharing.Preview(r.Context(), v.Token)
		if err != nil {
			v.Token = ""
			return formError(w, "invite", v, err)
		}
		v.Invite = &inviteView{Inviter: inv.Inviter, Permission: string(inv.Permission),
			Expires: pageTime(inv.ExpiresAt), Expired: inv.Expired}
		return render(w, http.StatusOK, "invite", v)
	})
	s.page("POST /invite", s.needSession(func(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
		if err := parseForm(r); err != nil {
			return err
		}
		if _, err := h.sharing.Accept(r.Context(), sess.UserID, r.PostForm.Get("token")); err != nil {
			return formError(w, "invite", &view{Title: titleInvite, SignedIn: true}, err)
		}
		return seeOther(w, r, "/account?done=folder-shared")
	}, false))
}
