package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// marker returns a unique string that occurs nowhere else: canary tests put
// it into a field and then look for it in the raw storage.
func marker() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "qcanary" + hex.EncodeToString(b[:])
}

func ptr[T any](v T) *T { return &v }

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := quire.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

func mustOK(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func mustUser(t *testing.T, s Stores, name string) *quire.User {
	t.Helper()
	u := &quire.User{Email: marker() + "@example.com", Name: name}
	mustOK(t, s.Users.CreateUser(context.Background(), u), "CreateUser")
	return u
}

func mustWorkspace(t *testing.T, s Stores, owner *quire.User, name string) *quire.Workspace {
	t.Helper()
	w := &quire.Workspace{Name: name, Region: quire.RegionUS, OwnerID: owner.ID}
	mustOK(t, s.Workspaces.CreateWorkspace(context.Background(), w), "CreateWorkspace")
	return w
}

func mustNote(t *testing.T, s Stores, wsID, title, content string) *quire.Note {
	t.Helper()
	n := &quire.Note{WorkspaceID: wsID, Title: title, Content: content}
	mustOK(t, s.Notes.CreateNote(context.Background(), n), "CreateNote")
	return n
}

func checkTimes(t *testing.T, what string, created, updated time.Time) {
	t.Helper()
	if created.IsZero() || updated.IsZero() {
		t.Fatalf("%s: zero timestamp (created %v, updated %v)", what, created, updated)
	}
	if created.Location() != time.UTC || updated.Location() != time.UTC {
		t.Fatalf("%s: timestamps not in UTC (%v, %v)", what, created.Location(), updated.Location())
	}
	if updated.Before(created) {
		t.Fatalf("%s: updated %v before created %v", what, updated, created)
	}
	if d := time.Since(created); d < -time.Minute || d > time.Hour {
		t.Fatalf("%s: created %v is not now", what, created)
	}
}

func sameUser(t *testing.T, got, want *quire.User) {
	t.Helper()
	if got.ID != want.ID || got.Email != want.Email || got.Name != want.Name ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("user = %+v, want %+v", got, want)
	}
}

func sameWorkspace(t *testing.T, got, want *quire.Workspace) {
	t.Helper()
	if got.ID != want.ID || got.Name != want.Name || got.Region != want.Region || got.OwnerID != want.OwnerID ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("workspace = %+v, want %+v", got, want)
	}
}

func sameNote(t *testing.T, got, want *quire.Note) {
	t.Helper()
	if got.ID != want.ID || got.WorkspaceID != want.WorkspaceID || got.Title != want.Title ||
		got.Content != want.Content || got.FolderID != want.FolderID || got.Pinned != want.Pinned ||
		got.Public != want.Public || got.Version != want.Version ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("note = %s, want %s", describeNote(got), describeNote(want))
	}
}

// describeNote formats a note for a failure message, with long content cut.
func describeNote(n *quire.Note) string {
	cp := *n
	if len(cp.Content) > 64 {
		cp.Content = cp.Content[:64] + "…"
	}
	return fmt.Sprintf("%+v", cp)
}

// wantNoteUnchanged reads the note back and fails unless it equals want.
func wantNoteUnchanged(t *testing.T, s Stores, want *quire.Note) {
	t.Helper()
	got, err := s.Notes.FindNoteByID(context.Background(), want.WorkspaceID, want.ID)
	mustOK(t, err, "FindNoteByID")
	sameNote(t, got, want)
}

func noteIDs(notes []*quire.Note) []string {
	ids := make([]string, len(notes))
	for i, n := range notes {
		ids[i] = n.ID
	}
	return ids
}

// isAny reports whether err matches any of targets.
func isAny(err error, targets ...error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

func itoa(i int) string { return strconv.Itoa(i) }
