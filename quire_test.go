package quire_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/quirehq/quire"
)

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := quire.NewID()
		if !quire.ValidID(id) {
			t.Fatalf("NewID() = %q is not ValidID", id)
		}
		if seen[id] {
			t.Fatalf("NewID repeated %q", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "short", strings.Repeat("a", 25), strings.Repeat("a", 27), strings.Repeat("A", 26), strings.Repeat("1", 26), "aaaaaaaaaaaaaaaaaaaaaaaaa'"} {
		if quire.ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}

func TestErrorCodeAndMessage(t *testing.T) {
	inner := quire.Errorf(quire.ENOTFOUND, "Note not found.")
	for _, tc := range []struct {
		err           error
		code, message string
	}{
		{nil, "", ""},
		{inner, quire.ENOTFOUND, "Note not found."},
		{fmt.Errorf("wrapped: %w", inner), quire.ENOTFOUND, "Note not found."},
		{errors.New("db: password=hunter2 refused"), quire.EINTERNAL, "Internal error."},
		{quire.WrapError(quire.EINTERNAL, "Could not read the note.", errors.New("secret detail")), quire.EINTERNAL, "Could not read the note."},
	} {
		if got := quire.ErrorCode(tc.err); got != tc.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tc.err, got, tc.code)
		}
		if got := quire.ErrorMessage(tc.err); got != tc.message {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tc.err, got, tc.message)
		}
	}
	cause := errors.New("cause")
	if !errors.Is(quire.WrapError(quire.EINTERNAL, "x", cause), cause) {
		t.Error("WrapError does not unwrap to its cause")
	}
}

func TestValidate(t *testing.T) {
	str := func(s string) *string { return &s }
	long := strings.Repeat("x", quire.MaxNoteTitle+1)
	id := quire.NewID()
	for _, tc := range []struct {
		name string
		err  error
		ok   bool
	}{
		{"user ok", (&quire.User{Email: "a@b.c", Name: "A"}).Validate(), true},
		{"user no email", (&quire.User{}).Validate(), false},
		{"user bad email", (&quire.User{Email: "nobody"}).Validate(), false},
		{"user bad utf8", (&quire.User{Email: "a@b.c", Name: "\xff"}).Validate(), false},
		{"workspace ok", (&quire.Workspace{Name: "W", Region: quire.RegionEU, OwnerID: id}).Validate(), true},
		{"workspace region", (&quire.Workspace{Name: "W", Region: "mars", OwnerID: id}).Validate(), false},
		{"workspace no name", (&quire.Workspace{Region: quire.RegionUS, OwnerID: id}).Validate(), false},
		{"note ok", (&quire.Note{WorkspaceID: id, Title: "t", FolderID: id}).Validate(), true},
		{"note no workspace", (&quire.Note{Title: "t"}).Validate(), false},
		{"note long title", (&quire.Note{WorkspaceID: id, Title: long}).Validate(), false},
		{"note folder is content", (&quire.Note{WorkspaceID: id, FolderID: "My secret plans"}).Validate(), false},
		{"update ok", quire.NoteUpdate{Title: str("t"), FolderID: str("")}.Validate(), true},
		{"update bad folder", quire.NoteUpdate{FolderID: str("x")}.Validate(), false},
		{"update bad utf8", quire.NoteUpdate{Content: str("\xff")}.Validate(), false},
		{"filter ok", quire.NoteFilter{WorkspaceID: id, FolderID: str(id)}.Validate(), true},
		{"filter no workspace", quire.NoteFilter{}.Validate(), false},
		{"filter negative", quire.NoteFilter{WorkspaceID: id, Limit: -1}.Validate(), false},
		{"filter bad folder", quire.NoteFilter{WorkspaceID: id, FolderID: str("../x")}.Validate(), false},
	} {
		if (tc.err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, tc.err, tc.ok)
		}
		if tc.err != nil && quire.ErrorCode(tc.err) != quire.EINVALID {
			t.Errorf("%s: code %q, want %q", tc.name, quire.ErrorCode(tc.err), quire.EINVALID)
		}
	}
}
