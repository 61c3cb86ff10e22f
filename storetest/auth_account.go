package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

func testCreateAccount(t *testing.T, s Stores) {
	ctx := context.Background()
	a := &quire.Account{User: &quire.User{Email: marker() + "@example.com", Name: "Grace"},
		PasswordHash: testPasswordHash, WorkspaceName: "Grace's notes", Region: quire.RegionEU}
	w, err := s.Auth.CreateAccount(ctx, a)
	mustOK(t, err, "CreateAccount")
	u := a.User
	if !quire.ValidID(u.ID) || w == nil || !quire.ValidID(w.ID) {
		t.Fatalf("CreateAccount set user ID %q and returned workspace %+v", u.ID, w)
	}
	checkTimes(t, "CreateAccount user", u.CreatedAt, u.UpdatedAt)
	checkTimes(t, "CreateAccount workspace", w.CreatedAt, w.UpdatedAt)
	if w.Name != a.WorkspaceName || w.Region != quire.RegionEU || w.OwnerID != u.ID {
		t.Fatalf("CreateAccount workspace = %+v", w)
	}
	got, err := s.Users.FindUserByEmail(ctx, u.Email)
	mustOK(t, err, "FindUserByEmail")
	sameUser(t, got, u)
	gw, err := s.Workspaces.FindWorkspaceByID(ctx, w.ID)
	mustOK(t, err, "FindWorkspaceByID")
	sameWorkspace(t, gw, w)
	members, err := s.Workspaces.FindMembers(ctx, w.ID)
	mustOK(t, err, "FindMembers")
	if len(members) != 1 || members[0].UserID != u.ID || members[0].Role != quire.RoleOwner {
		t.Fatalf("members = %+v, want the user as owner", members)
	}
	c, err := s.Auth.FindCredential(ctx, u.ID)
	mustOK(t, err, "FindCredential")
	if c.UserID != u.ID || c.PasswordHash != testPasswordHash || c.MustReset || c.TOTPEnabled || !c.EmailVerifiedAt.IsZero() {
		t.Fatalf("new credential = %+v", c)
	}
	checkTimes(t, "credential", u.CreatedAt, c.UpdatedAt)
	_, err = s.Auth.FindCredential(ctx, quire.NewID())
	wantCode(t, err, quire.ENOTFOUND)
}

// testCreateAccountAtomic checks that a refused CreateAccount leaves
// nothing behind: no user, no workspace, no data key.
func testCreateAccountAtomic(t *testing.T, s Stores) {
	ctx := context.Background()
	first, firstWS := mustAccount(t, s)
	fresh := marker() + "@example.com"
	cases := []struct {
		name string
		a    quire.Account
		code string
	}{
		{"duplicate email", quire.Account{User: &quire.User{Email: first.Email}, PasswordHash: testPasswordHash, WorkspaceName: "second", Region: quire.RegionUS}, quire.ECONFLICT},
		{"invalid email", quire.Account{User: &quire.User{Email: "no-at-sign"}, PasswordHash: testPasswordHash, WorkspaceName: "w", Region: quire.RegionUS}, quire.EINVALID},
		{"invalid region", quire.Account{User: &quire.User{Email: fresh}, PasswordHash: testPasswordHash, WorkspaceName: "w", Region: "mars"}, quire.EINVALID},
		{"empty workspace name", quire.Account{User: &quire.User{Email: fresh}, PasswordHash: testPasswordHash, Region: quire.RegionUS}, quire.EINVALID},
		{"workspace name too long", quire.Account{User: &quire.User{Email: fresh}, PasswordHash: testPasswordHash, WorkspaceName: strings.Repeat("w", 201), Region: quire.RegionUS}, quire.EINVALID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := countDataKeys(t, s)
			a := tc.a
			_, err := s.Auth.CreateAccount(ctx, &a)
			wantCode(t, err, tc.code)
			if after := countDataKeys(t, s); after != before {
				t.Fatalf("a refused CreateAccount left %d data keys behind", after-before)
			}
			_, err = s.Users.FindUserByEmail(ctx, fresh)
			wantCode(t, err, quire.ENOTFOUND)
		})
	}
	list, err := s.Workspaces.FindWorkspacesByUser(ctx, first.ID)
	mustOK(t, err, "FindWorkspacesByUser")
	if len(list) != 1 || list[0].ID != firstWS.ID {
		t.Fatalf("the first account has %d workspaces after refused duplicates, want its own only", len(list))
	}
	c, err := s.Auth.FindCredential(ctx, first.ID)
	mustOK(t, err, "FindCredential")
	if c.PasswordHash != testPasswordHash {
		t.Fatal("a refused duplicate changed the first account's credential")
	}
}

// testCreateAccountConcurrent races sign-ups for one address: one wins,
// the others are ECONFLICT and leave no user, workspace or data key.
func testCreateAccountConcurrent(t *testing.T, s Stores) {
	ctx := context.Background()
	email := marker() + "@example.com"
	before := countDataKeys(t, s)
	const n = 8
	codes := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			a := &quire.Account{User: &quire.User{Email: email, Name: itoa(i)}, PasswordHash: testPasswordHash,
				WorkspaceName: "race " + itoa(i), Region: quire.RegionUS}
			_, err := s.Auth.CreateAccount(ctx, a)
			codes[i] = quire.ErrorCode(err)
		})
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case "":
			won++
		case quire.ECONFLICT:
		default:
			t.Fatalf("concurrent CreateAccount failed with %q, want success or ECONFLICT", c)
		}
	}
	if won != 1 {
		t.Fatalf("%d concurrent sign-ups with one email succeeded, want 1", won)
	}
	u, err := s.Users.FindUserByEmail(ctx, email)
	mustOK(t, err, "FindUserByEmail")
	list, err := s.Workspaces.FindWorkspacesByUser(ctx, u.ID)
	mustOK(t, err, "FindWorkspacesByUser")
	if len(list) != 1 || list[0].Name != "race "+u.Name {
		t.Fatalf("the winner has workspaces %+v, want its own one", list)
	}
	if got := countDataKeys(t, s) - before; got != 2 {
		t.Fatalf("the race left %d new data keys, want 2 (the winner's user and workspace)", got)
	}
}

func countDataKeys(t *testing.T, s Stores) int {
	t.Helper()
	keys, err := s.Keys.ListDataKeys(context.Background())
	mustOK(t, err, "ListDataKeys")
	return len(keys)
}

func testCredential(t *testing.T, s Stores) {
	ctx := context.Background()
	u, _ := mustAccount(t, s)
	c0, err := s.Auth.FindCredential(ctx, u.ID)
	mustOK(t, err, "FindCredential")

	time.Sleep(2 * time.Millisecond)
	const newHash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA"
	mustOK(t, s.Auth.SetPassword(ctx, u.ID, newHash, true), "SetPassword")
	c, err := s.Auth.FindCredential(ctx, u.ID)
	mustOK(t, err, "FindCredential")
	if c.PasswordHash != newHash || !c.MustReset {
		t.Fatalf("after SetPassword(must reset): %+v", c)
	}
	if !c.UpdatedAt.After(c0.UpdatedAt) {
		t.Fatalf("SetPassword did not advance UpdatedAt: %v then %v", c0.UpdatedAt, c.UpdatedAt)
	}
	mustOK(t, s.Auth.SetPassword(ctx, u.ID, testPasswordHash, false), "SetPassword")
	c, err = s.Auth.FindCredential(ctx, u.ID)
	mustOK(t, err, "FindCredential")
	if c.PasswordHash != testPasswordHash || c.MustReset {
		t.Fatalf("after SetPassword: %+v", c)
	}

	at := time.Date(2031, 5, 6, 7, 8, 9, 123456789, time.FixedZone("X", 3600))
	mustOK(t, s.Auth.MarkEmailVerified(ctx, u.ID, at), "MarkEmailVerified")
	c, err = s.Auth.FindCredential(ctx, u.ID)
	mustOK(t, err, "FindCredential")
	if want := at.Truncate(time.Microsecond); !c.EmailVerifiedAt.Equal(want) || c.EmailVerifiedAt.Location() != time.UTC {
		t.Fatalf("EmailVerifiedAt = %v, want %v in UTC", c.EmailVerifiedAt, want)
	}

	ghost := quire.NewID()
	wantCode(t, s.Auth.SetPassword(ctx, ghost, newHash, false), quire.ENOTFOUND)
	wantCode(t, s.Auth.MarkEmailVerified(ctx, ghost, at), quire.ENOTFOUND)
	plain := mustUser(t, s, "no credential")
	_, err = s.Auth.FindCredential(ctx, plain.ID)
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, s.Auth.SetPassword(ctx, plain.ID, newHash, false), quire.ENOTFOUND)
}
