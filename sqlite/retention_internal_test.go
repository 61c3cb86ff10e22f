package sqlite

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// TestRetentionVersionAgeScanUsesIndex checks that the search for note
// versions past their age uses the index on saved_at, not a scan of the
// table.
func TestRetentionVersionAgeScanUsesIndex(t *testing.T) {
	s := newTestStore(t)
	rows, err := s.db.reader.Query("EXPLAIN QUERY PLAN SELECT id FROM note_versions WHERE saved_at < ? LIMIT ?", "x", 10)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if got := strings.Join(plan, "; "); !strings.Contains(got, "note_versions_saved") {
		t.Fatalf("query plan %q does not use note_versions_saved", got)
	}
}

// TestRetentionDeleteVersionsRechecks checks that the writer deletes a
// version found on the reader only if the policy still does not keep it:
// a save between the search and the delete must not cost a kept version.
func TestRetentionDeleteVersionsRechecks(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	ws := s.workspace(t)
	note := s.note(t, ws.ID, "t")
	for i := range 4 { // versions 1 to 4
		v := strconv.Itoa(i + 2)
		title, content := "t"+v, "c"+v
		var err error
		if note, err = s.notes.UpdateNote(ctx, ws.ID, note.ID, quire.NoteUpdate{Title: &title, Content: &content}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	rows, err := s.db.reader.Query("SELECT id FROM note_versions WHERE note_id = ?", note.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) != 4 {
		t.Fatalf("%d versions, want 4", len(ids))
	}
	svc := NewRetentionService(s.db, s.b)
	// Every version is a candidate (as if found under a policy keeping
	// none), but the policy now keeps the newest 3.
	n, err := svc.deleteVersions(ctx, ids, "", 3)
	if err != nil || n != 1 {
		t.Fatalf("deleteVersions = %d, %v; want the 1 version beyond 3", n, err)
	}
	cutoff := formatTime(time.Now().Add(-time.Hour))
	if n, err := svc.deleteVersions(ctx, ids, cutoff, 3); err != nil || n != 0 {
		t.Fatalf("deleteVersions of recent versions = %d, %v; want 0", n, err)
	}
	found, err := svc.versionCandidates(ctx, "", 1, 100)
	if err != nil || len(found) != 2 {
		t.Fatalf("versionCandidates keeping 1 = %v, %v; want 2", found, err)
	}
}
