package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

func testWorkspaceCRUD(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	w := &quire.Workspace{Name: "Research", Region: quire.RegionEU, OwnerID: owner.ID}
	mustOK(t, s.Workspaces.CreateWorkspace(ctx, w), "CreateWorkspace")
	if !quire.ValidID(w.ID) {
		t.Fatalf("CreateWorkspace set ID %q, want a quire.NewID", w.ID)
	}
	checkTimes(t, "CreateWorkspace", w.CreatedAt, w.UpdatedAt)
	got, err := s.Workspaces.FindWorkspaceByID(ctx, w.ID)
	mustOK(t, err, "FindWorkspaceByID")
	sameWorkspace(t, got, w)

	time.Sleep(2 * time.Millisecond)
	renamed, err := s.Workspaces.RenameWorkspace(ctx, w.ID, "Research (archive)")
	mustOK(t, err, "RenameWorkspace")
	if renamed.Name != "Research (archive)" || renamed.Region != w.Region || !renamed.CreatedAt.Equal(w.CreatedAt) ||
		!renamed.UpdatedAt.After(w.UpdatedAt) {
		t.Fatalf("RenameWorkspace = %+v (before %+v)", renamed, w)
	}
	got, err = s.Workspaces.FindWorkspaceByID(ctx, w.ID)
	mustOK(t, err, "FindWorkspaceByID after rename")
	sameWorkspace(t, got, renamed)

	_, err = s.Workspaces.RenameWorkspace(ctx, w.ID, "")
	wantCode(t, err, quire.EINVALID)
	_, err = s.Workspaces.RenameWorkspace(ctx, w.ID, strings.Repeat("w", 201))
	wantCode(t, err, quire.EINVALID)
	_, err = s.Workspaces.RenameWorkspace(ctx, quire.NewID(), "ghost")
	wantCode(t, err, quire.ENOTFOUND)
	got, err = s.Workspaces.FindWorkspaceByID(ctx, w.ID)
	mustOK(t, err, "FindWorkspaceByID after refused renames")
	sameWorkspace(t, got, renamed)

	_, err = s.Workspaces.FindWorkspaceByID(ctx, quire.NewID())
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, s.Workspaces.DeleteWorkspace(ctx, quire.NewID()), quire.ENOTFOUND)

	mustOK(t, s.Workspaces.DeleteWorkspace(ctx, w.ID), "DeleteWorkspace")
	_, err = s.Workspaces.FindWorkspaceByID(ctx, w.ID)
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, s.Workspaces.DeleteWorkspace(ctx, w.ID), quire.ENOTFOUND)
	list, err := s.Workspaces.FindWorkspacesByUser(ctx, owner.ID)
	mustOK(t, err, "FindWorkspacesByUser")
	if len(list) != 0 {
		t.Fatalf("owner still lists %d workspaces after delete", len(list))
	}
	mustOK(t, s.Users.DeleteUser(ctx, owner.ID), "DeleteUser once the workspace is gone")
}

func testWorkspaceRegion(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	cases := []struct {
		region quire.Region
		code   string
	}{
		{quire.RegionUS, ""},
		{quire.RegionEU, ""},
		{"", quire.EINVALID},
		{"EU", quire.EINVALID},
		{"mars", quire.EINVALID},
		{"us ", quire.EINVALID},
	}
	for _, tc := range cases {
		t.Run("region "+string(tc.region), func(t *testing.T) {
			w := &quire.Workspace{Name: "regional", Region: tc.region, OwnerID: owner.ID}
			err := s.Workspaces.CreateWorkspace(ctx, w)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			mustOK(t, err, "CreateWorkspace")
			got, err := s.Workspaces.FindWorkspaceByID(ctx, w.ID)
			mustOK(t, err, "FindWorkspaceByID")
			if got.Region != tc.region {
				t.Fatalf("region = %q, want %q", got.Region, tc.region)
			}
		})
	}
}

func testWorkspaceValidation(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	cases := []struct {
		name string
		ws   quire.Workspace
		code string
	}{
		{"empty name", quire.Workspace{Region: quire.RegionUS, OwnerID: owner.ID}, quire.EINVALID},
		{"name too long", quire.Workspace{Name: strings.Repeat("w", 201), Region: quire.RegionUS, OwnerID: owner.ID}, quire.EINVALID},
		{"name not UTF-8", quire.Workspace{Name: "\xff", Region: quire.RegionUS, OwnerID: owner.ID}, quire.EINVALID},
		{"no owner", quire.Workspace{Name: "w", Region: quire.RegionUS}, quire.EINVALID},
		{"unknown owner", quire.Workspace{Name: "w", Region: quire.RegionUS, OwnerID: quire.NewID()}, quire.ENOTFOUND},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.ws
			wantCode(t, s.Workspaces.CreateWorkspace(ctx, &w), tc.code)
		})
	}
	list, err := s.Workspaces.FindWorkspacesByUser(ctx, owner.ID)
	mustOK(t, err, "FindWorkspacesByUser")
	if len(list) != 0 {
		t.Fatalf("refused creates left %d workspaces", len(list))
	}
}

func testMemberships(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	editor := mustUser(t, s, "editor")
	ws := mustWorkspace(t, s, owner, "team")
	other := mustWorkspace(t, s, editor, "elsewhere")

	wantMembers := func(t *testing.T, want map[string]quire.Role) {
		t.Helper()
		got, err := s.Workspaces.FindMembers(ctx, ws.ID)
		mustOK(t, err, "FindMembers")
		have := map[string]quire.Role{}
		for _, m := range got {
			if m.WorkspaceID != ws.ID {
				t.Fatalf("FindMembers returned a membership of workspace %s", m.WorkspaceID)
			}
			checkTimes(t, "membership", m.CreatedAt, m.CreatedAt)
			have[m.UserID] = m.Role
		}
		if len(have) != len(want) || len(got) != len(want) {
			t.Fatalf("members = %v, want %v", have, want)
		}
		for id, role := range want {
			if have[id] != role {
				t.Fatalf("members = %v, want %v", have, want)
			}
		}
	}
	wantMembers(t, map[string]quire.Role{owner.ID: quire.RoleOwner})

	m := &quire.Membership{WorkspaceID: ws.ID, UserID: editor.ID, Role: quire.RoleEditor}
	mustOK(t, s.Workspaces.AddMember(ctx, m), "AddMember")
	wantMembers(t, map[string]quire.Role{owner.ID: quire.RoleOwner, editor.ID: quire.RoleEditor})

	bad := []struct {
		name string
		m    quire.Membership
		code string
	}{
		{"duplicate", quire.Membership{WorkspaceID: ws.ID, UserID: editor.ID, Role: quire.RoleViewer}, quire.ECONFLICT},
		{"bad role", quire.Membership{WorkspaceID: ws.ID, UserID: editor.ID, Role: "admin"}, quire.EINVALID},
		{"empty role", quire.Membership{WorkspaceID: ws.ID, UserID: editor.ID}, quire.EINVALID},
		{"unknown user", quire.Membership{WorkspaceID: ws.ID, UserID: quire.NewID(), Role: quire.RoleViewer}, quire.ENOTFOUND},
		{"unknown workspace", quire.Membership{WorkspaceID: quire.NewID(), UserID: editor.ID, Role: quire.RoleViewer}, quire.ENOTFOUND},
	}
	for _, tc := range bad {
		t.Run("AddMember "+tc.name, func(t *testing.T) {
			mm := tc.m
			wantCode(t, s.Workspaces.AddMember(ctx, &mm), tc.code)
		})
	}
	wantMembers(t, map[string]quire.Role{owner.ID: quire.RoleOwner, editor.ID: quire.RoleEditor})

	wantCode(t, s.Workspaces.RemoveMember(ctx, other.ID, owner.ID), quire.ENOTFOUND)
	_, err := s.Workspaces.FindMembers(ctx, quire.NewID())
	wantCode(t, err, quire.ENOTFOUND)

	mustOK(t, s.Workspaces.RemoveMember(ctx, ws.ID, editor.ID), "RemoveMember")
	wantMembers(t, map[string]quire.Role{owner.ID: quire.RoleOwner})
	wantCode(t, s.Workspaces.RemoveMember(ctx, ws.ID, editor.ID), quire.ENOTFOUND)
}

func testFindWorkspacesByUser(t *testing.T, s Stores) {
	ctx := context.Background()
	alice := mustUser(t, s, "alice")
	bob := mustUser(t, s, "bob")
	carol := mustUser(t, s, "carol")
	a1 := mustWorkspace(t, s, alice, "alice one")
	a2 := mustWorkspace(t, s, alice, "alice two")
	b1 := mustWorkspace(t, s, bob, "bob one")
	mustOK(t, s.Workspaces.AddMember(ctx, &quire.Membership{WorkspaceID: b1.ID, UserID: alice.ID, Role: quire.RoleViewer}), "AddMember")

	cases := []struct {
		user *quire.User
		want []*quire.Workspace
	}{
		{alice, []*quire.Workspace{a1, a2, b1}},
		{bob, []*quire.Workspace{b1}},
		{carol, nil},
	}
	for _, tc := range cases {
		t.Run(tc.user.Name, func(t *testing.T) {
			got, err := s.Workspaces.FindWorkspacesByUser(ctx, tc.user.ID)
			mustOK(t, err, "FindWorkspacesByUser")
			if len(got) != len(tc.want) {
				t.Fatalf("got %d workspaces, want %d", len(got), len(tc.want))
			}
			byID := map[string]*quire.Workspace{}
			for _, w := range got {
				byID[w.ID] = w
			}
			for _, w := range tc.want {
				g, ok := byID[w.ID]
				if !ok {
					t.Fatalf("workspace %q missing from the list", w.Name)
				}
				sameWorkspace(t, g, w)
			}
		})
	}
}
