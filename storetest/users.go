package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

func testUserCRUD(t *testing.T, s Stores) {
	ctx := context.Background()
	u := &quire.User{Email: "ada-" + marker() + "@example.com", Name: "Ada Lovelace"}
	mustOK(t, s.Users.CreateUser(ctx, u), "CreateUser")
	if !quire.ValidID(u.ID) {
		t.Fatalf("CreateUser set ID %q, want a quire.NewID", u.ID)
	}
	checkTimes(t, "CreateUser", u.CreatedAt, u.UpdatedAt)
	got, err := s.Users.FindUserByID(ctx, u.ID)
	mustOK(t, err, "FindUserByID")
	sameUser(t, got, u)

	time.Sleep(2 * time.Millisecond)
	updated, err := s.Users.UpdateUser(ctx, u.ID, quire.UserUpdate{Name: ptr("Augusta Ada King")})
	mustOK(t, err, "UpdateUser")
	if updated.Name != "Augusta Ada King" || updated.Email != u.Email || !updated.CreatedAt.Equal(u.CreatedAt) {
		t.Fatalf("UpdateUser returned %+v", updated)
	}
	if !updated.UpdatedAt.After(u.UpdatedAt) {
		t.Fatalf("UpdateUser did not advance UpdatedAt: %v then %v", u.UpdatedAt, updated.UpdatedAt)
	}
	got, err = s.Users.FindUserByID(ctx, u.ID)
	mustOK(t, err, "FindUserByID after update")
	sameUser(t, got, updated)

	same, err := s.Users.UpdateUser(ctx, u.ID, quire.UserUpdate{})
	mustOK(t, err, "empty UpdateUser")
	if same.Name != updated.Name || same.Email != updated.Email {
		t.Fatalf("empty update changed the user: %+v", same)
	}

	mustOK(t, s.Users.DeleteUser(ctx, u.ID), "DeleteUser")
	_, err = s.Users.FindUserByID(ctx, u.ID)
	wantCode(t, err, quire.ENOTFOUND)
	_, err = s.Users.FindUserByEmail(ctx, u.Email)
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, s.Users.DeleteUser(ctx, u.ID), quire.ENOTFOUND)
	_, err = s.Users.UpdateUser(ctx, u.ID, quire.UserUpdate{Name: ptr("x")})
	wantCode(t, err, quire.ENOTFOUND)

	again := &quire.User{Email: u.Email, Name: "reuses the address"}
	mustOK(t, s.Users.CreateUser(ctx, again), "CreateUser with a deleted user's email")
}

func testUserEmailLookup(t *testing.T, s Stores) {
	ctx := context.Background()
	a := mustUser(t, s, "A")
	b := mustUser(t, s, "B")

	cases := []struct {
		name   string
		email  string
		wantID string
		code   string
	}{
		{"exact", a.Email, a.ID, ""},
		{"other user", b.Email, b.ID, ""},
		{"unknown", "nobody-" + marker() + "@example.com", "", quire.ENOTFOUND},
		{"upper case is another address", strings.ToUpper(a.Email), "", quire.ENOTFOUND},
		{"prefix", a.Email[:len(a.Email)-1], "", quire.ENOTFOUND},
		{"trailing space", a.Email + " ", "", quire.ENOTFOUND},
		{"empty", "", "", quire.ENOTFOUND},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Users.FindUserByEmail(ctx, tc.email)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			mustOK(t, err, "FindUserByEmail")
			if got.ID != tc.wantID || got.Email != tc.email {
				t.Fatalf("FindUserByEmail = %s <%s>, want %s", got.ID, got.Email, tc.wantID)
			}
		})
	}

	t.Run("duplicate email on create", func(t *testing.T) {
		wantCode(t, s.Users.CreateUser(ctx, &quire.User{Email: a.Email, Name: "twin"}), quire.ECONFLICT)
	})
	t.Run("duplicate email on update", func(t *testing.T) {
		_, err := s.Users.UpdateUser(ctx, b.ID, quire.UserUpdate{Email: ptr(a.Email)})
		wantCode(t, err, quire.ECONFLICT)
		got, err := s.Users.FindUserByEmail(ctx, b.Email)
		mustOK(t, err, "FindUserByEmail after failed update")
		sameUser(t, got, b)
	})
	t.Run("email change moves the index", func(t *testing.T) {
		newEmail := "moved-" + marker() + "@example.com"
		_, err := s.Users.UpdateUser(ctx, b.ID, quire.UserUpdate{Email: ptr(newEmail)})
		mustOK(t, err, "UpdateUser email")
		got, err := s.Users.FindUserByEmail(ctx, newEmail)
		mustOK(t, err, "FindUserByEmail new address")
		if got.ID != b.ID || got.Email != newEmail {
			t.Fatalf("new address finds %s <%s>", got.ID, got.Email)
		}
		_, err = s.Users.FindUserByEmail(ctx, b.Email)
		wantCode(t, err, quire.ENOTFOUND)
	})
}

func testUserValidation(t *testing.T, s Stores) {
	ctx := context.Background()
	existing := mustUser(t, s, "existing")
	cases := []struct {
		name string
		user quire.User
	}{
		{"no email", quire.User{Name: "x"}},
		{"no at sign", quire.User{Email: "not-an-address"}},
		{"email too long", quire.User{Email: strings.Repeat("a", 320) + "@example.com"}},
		{"email not UTF-8", quire.User{Email: "a\xff@example.com"}},
		{"name too long", quire.User{Email: marker() + "@example.com", Name: strings.Repeat("n", 201)}},
		{"name not UTF-8", quire.User{Email: marker() + "@example.com", Name: "bad\xc3"}},
	}
	for _, tc := range cases {
		t.Run("create "+tc.name, func(t *testing.T) {
			u := tc.user
			wantCode(t, s.Users.CreateUser(ctx, &u), quire.EINVALID)
		})
		t.Run("update "+tc.name, func(t *testing.T) {
			upd := quire.UserUpdate{Email: ptr(tc.user.Email), Name: ptr(tc.user.Name)}
			_, err := s.Users.UpdateUser(ctx, existing.ID, upd)
			wantCode(t, err, quire.EINVALID)
			got, err := s.Users.FindUserByID(ctx, existing.ID)
			mustOK(t, err, "FindUserByID")
			sameUser(t, got, existing)
		})
	}
	t.Run("unknown id", func(t *testing.T) {
		_, err := s.Users.FindUserByID(ctx, quire.NewID())
		wantCode(t, err, quire.ENOTFOUND)
		_, err = s.Users.FindUserByID(ctx, "not an id")
		wantCode(t, err, quire.ENOTFOUND)
	})
}

// testUserDeleteShreds checks that deleting a user destroys the user's data
// keys (GDPR-3), so that a copy of the old row no longer decrypts with the
// store's keys, and
// that an owner of a workspace cannot be deleted from under it.
func testUserDeleteShreds(t *testing.T, s Stores) {
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	member := mustUser(t, s, "member")
	ws := mustWorkspace(t, s, owner, "team")
	mustOK(t, s.Workspaces.AddMember(ctx, &quire.Membership{WorkspaceID: ws.ID, UserID: member.ID, Role: quire.RoleEditor}), "AddMember")

	wantCode(t, s.Users.DeleteUser(ctx, owner.ID), quire.ECONFLICT)
	got, err := s.Users.FindUserByID(ctx, owner.ID)
	mustOK(t, err, "owner still readable after refused delete")
	sameUser(t, got, owner)

	scope := barrier.UserScope(member.ID)
	keys, err := s.Keys.LoadDataKeys(ctx, scope)
	mustOK(t, err, "LoadDataKeys")
	if len(keys) == 0 {
		t.Fatal("the user's scope has no data keys: personal data was not encrypted under barrier.UserScope")
	}
	probe, err := s.Barrier.Encrypt(ctx, scope, barrier.AD("users", member.ID, "name"), []byte("probe"))
	mustOK(t, err, "Encrypt probe")

	mustOK(t, s.Users.DeleteUser(ctx, member.ID), "DeleteUser")
	keys, err = s.Keys.LoadDataKeys(ctx, scope)
	mustOK(t, err, "LoadDataKeys after delete")
	if len(keys) != 0 {
		t.Fatalf("%d data keys of the deleted user remain", len(keys))
	}
	if _, err := s.Barrier.Decrypt(ctx, scope, barrier.AD("users", member.ID, "name"), probe); !isAny(err, barrier.ErrNoKey) {
		t.Fatalf("Decrypt after shred: err = %v, want barrier.ErrNoKey", err)
	}
	members, err := s.Workspaces.FindMembers(ctx, ws.ID)
	mustOK(t, err, "FindMembers")
	if len(members) != 1 || members[0].UserID != owner.ID {
		t.Fatalf("members after deleting a member = %+v, want only the owner", members)
	}
	list, err := s.Workspaces.FindWorkspacesByUser(ctx, member.ID)
	mustOK(t, err, "FindWorkspacesByUser")
	if len(list) != 0 {
		t.Fatalf("deleted user still has %d workspaces", len(list))
	}
}
