package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quirehq/quire"
)

// TestDeletionResumesAndAdminPurge stops a deletion between its shred and
// its purge, as a crash would (the request is made by a process without
// the background purge): the next quire serve finishes it at start, and
// `quire admin purge` finishes another; `quire admin deletions` shows the
// queue throughout, with identifiers and times only.
func TestDeletionResumesAndAdminPurge(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, data)
	type user struct{ id, ws string }
	var users []user
	for _, email := range []string{"first.gone@example.org", "second.gone@example.org"} {
		c := rightsSignUp(t, s, email)
		c.call(http.MethodPost, "/api/v1/notes", map[string]any{"title": "Resume canary", "content": "resume-canary-81c2"}, 201)
		c.upload("resume.txt", "resume-canary-81c2 bytes")
		ws := c.call(http.MethodGet, "/api/v1/workspaces", nil, 200)["workspaces"].([]any)[0].(map[string]any)["id"].(string)
		users = append(users, user{c.call(http.MethodGet, "/api/v1/me", nil, 200)["id"].(string), ws})
	}
	s.stop(t)

	requestWithoutPurge(t, data, users[0].id)
	if out := runOK(t, "admin", "deletions", "--data", data); !strings.Contains(out, users[0].id+"  ") || !strings.Contains(out, "shredded") {
		t.Fatalf("before the restart:\n%s", out)
	}
	s2 := startServe(t, data)
	waitGone(t, filepath.Join(data, "blobs", users[0].ws))
	s2.stop(t)

	requestWithoutPurge(t, data, users[1].id)
	out := runOK(t, "admin", "purge", "--data", data)
	if !strings.Contains(out, users[1].id+"  purged") || !strings.Contains(out, "Purged 1 account(s).") || strings.Contains(out, users[0].id) {
		t.Fatalf("quire admin purge:\n%s", out)
	}
	if out := runOK(t, "admin", "purge", "--data", data); !strings.Contains(out, "Purged 0 account(s).") {
		t.Fatalf("quire admin purge, again:\n%s", out)
	}
	out = runOK(t, "admin", "deletions", "--data", data)
	if strings.Count(out, "done") != 2 || strings.Contains(out, "@") || strings.Contains(out, "canary") {
		t.Fatalf("quire admin deletions:\n%s", out)
	}

	a, err := openApp(ctx, mustConfig(t, data), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, u := range users {
		if _, err := a.stores.users.FindUserByID(ctx, u.id); quire.ErrorCode(err) != quire.ENOTFOUND {
			t.Errorf("user %s after the purge: %v", u.id, err)
		}
		if _, err := a.stores.workspaces.FindWorkspaceByID(ctx, u.ws); quire.ErrorCode(err) != quire.ENOTFOUND {
			t.Errorf("workspace %s after the purge: %v", u.ws, err)
		}
	}
	if _, err := a.stores.deletions.FindDeletion(ctx, users[1].id); err != nil {
		t.Fatal(err)
	}
	scanRights(t, data, []string{"resume-canary-81c2", "gone@example.org"})
}

// requestWithoutPurge deletes the account userID from a process that has
// no background purge, and closes it: what a crash right after the
// request's shred leaves behind.
func requestWithoutPurge(t *testing.T, data, userID string) {
	t.Helper()
	ctx := context.Background()
	a, err := openApp(ctx, mustConfig(t, data), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.auth, err = newAuth(a, cliLogger(io.Discard), func() string { return "https://quire.test" }); err != nil {
		t.Fatal(err)
	}
	svc, err := newErase(a, nil, cliLogger(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.Request(ctx, userID, rightsPassword, "", "")
	if err != nil || d.Status != quire.DeletionShredded {
		t.Fatalf("Request = %+v, %v", d, err)
	}
}
