package storetest

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/quirehq/quire"
)

// testCanary checks claim ENC-1 from below the barrier: unique markers put
// into every user field, auth records and AI usage records included (see
// authCanaries and usageCanaries), and into values later overwritten or
// deleted, appear nowhere in the raw storage, before and after a restart,
// while values that are stored in plain text on purpose are found, which
// proves that the scanner can see what is there.
func testCanary(t *testing.T, s Stores) {
	ctx := context.Background()
	m := map[string]string{}
	for _, field := range []string{"email", "name", "new email", "new name", "workspace", "renamed",
		"title", "content", "new title", "new content", "deleted title", "deleted content", "member name"} {
		m[field] = marker()
	}
	u := &quire.User{Email: m["email"] + "@example.com", Name: m["name"]}
	mustOK(t, s.Users.CreateUser(ctx, u), "CreateUser")
	member := &quire.User{Email: marker() + "@example.com", Name: m["member name"]}
	mustOK(t, s.Users.CreateUser(ctx, member), "CreateUser")
	ws := &quire.Workspace{Name: m["workspace"], Region: quire.RegionEU, OwnerID: u.ID}
	mustOK(t, s.Workspaces.CreateWorkspace(ctx, ws), "CreateWorkspace")
	mustOK(t, s.Workspaces.AddMember(ctx, &quire.Membership{WorkspaceID: ws.ID, UserID: member.ID, Role: quire.RoleViewer}), "AddMember")
	body := strings.Repeat("Lorem ipsum dolor sit amet. ", 200)
	n := mustNote(t, s, ws.ID, m["title"], body+m["content"]+body)
	gone := mustNote(t, s, ws.ID, m["deleted title"], m["deleted content"])

	_, err := s.Users.UpdateUser(ctx, u.ID, quire.UserUpdate{Email: ptr(m["new email"] + "@example.com"), Name: ptr(m["new name"])})
	mustOK(t, err, "UpdateUser")
	_, err = s.Workspaces.RenameWorkspace(ctx, ws.ID, m["renamed"])
	mustOK(t, err, "RenameWorkspace")
	_, err = s.Notes.UpdateNote(ctx, ws.ID, n.ID, quire.NoteUpdate{Title: ptr(m["new title"]), Content: ptr(m["new content"])})
	mustOK(t, err, "UpdateNote")
	mustOK(t, s.Notes.DeleteNote(ctx, ws.ID, gone.ID), "DeleteNote")
	authPlain := authCanaries(t, s, m)
	usagePlain := usageCanaries(t, s, u, m)
	folderPlain := folderIdeaCanaries(t, s, ws, m)

	plain := map[string]string{"workspace ID": ws.ID, "note ID": n.ID, "user ID": u.ID, "region": string(quire.RegionEU)}
	maps.Copy(plain, authPlain)
	maps.Copy(plain, usagePlain)
	maps.Copy(plain, folderPlain)
	scan := func(t *testing.T, in Stores) {
		for field, mk := range m {
			found, err := in.Inspector.ScanRaw(ctx, []byte(mk))
			mustOK(t, err, "ScanRaw")
			if len(found) != 0 {
				t.Errorf("marker of field %q found in raw storage at %v", field, found)
			}
		}
		for what, v := range plain {
			found, err := in.Inspector.ScanRaw(ctx, []byte(v))
			mustOK(t, err, "ScanRaw")
			if len(found) == 0 {
				t.Errorf("ScanRaw cannot find the %s, which is stored in plain text: the scanner is blind", what)
			}
		}
	}
	t.Run("live", func(t *testing.T) { scan(t, s) })
	t.Run("after restart", func(t *testing.T) { scan(t, s.Reopen(t)) })
}
