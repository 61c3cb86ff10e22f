package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// TestFolderLimit fills a workspace with quire.MaxFolders folders below
// the store: one more is refused with ECONFLICT, and after a delete there
// is room again. Other workspaces are not limited by it.
func TestFolderLimit(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	ws, other := s.workspace(t), s.workspace(t)
	folders := NewFolderService(s.db, s.b)
	ts := formatTime(now())
	last := ""
	for range quire.MaxFolders {
		last = quire.NewID()
		if _, err := s.db.writer.ExecContext(ctx, "INSERT INTO folders (id, workspace_id, name_enc, created_at, updated_at) VALUES (?, ?, x'00', ?, ?)",
			last, ws.ID, ts, ts); err != nil {
			t.Fatal(err)
		}
	}
	err := folders.CreateFolder(ctx, &quire.Folder{WorkspaceID: ws.ID, Name: "one too many"})
	if quire.ErrorCode(err) != quire.ECONFLICT {
		t.Fatalf("folder %d: %v, want ECONFLICT", quire.MaxFolders+1, err)
	}
	if err := folders.CreateFolder(ctx, &quire.Folder{WorkspaceID: other.ID, Name: "elsewhere"}); err != nil {
		t.Fatalf("another workspace: %v", err)
	}
	if _, err := folders.DeleteFolder(ctx, ws.ID, last, quire.UnfileContents); err != nil {
		t.Fatal(err)
	}
	if err := folders.CreateFolder(ctx, &quire.Folder{WorkspaceID: ws.ID, Name: "fits again"}); err != nil {
		t.Fatalf("after a delete: %v", err)
	}
}

// pairedRatio runs a and base alternately in every iteration and reports
// the ratio of their total times as unit, so that load on a shared
// machine weighs on both sides alike.
func pairedRatio(b *testing.B, unit string, a, base func() error) {
	var aT, baseT time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := a(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := base(); err != nil {
			b.Fatal(err)
		}
		aT, baseT = aT+t1.Sub(t0), baseT+time.Since(t1)
	}
	b.ReportMetric(float64(aT)/float64(baseT), unit)
}

// BenchmarkNoteCreateInFolder measures what the folder check (the trigger
// on notes) adds to CreateNote: a note into a folder against one into no
// folder, in the same run.
func BenchmarkNoteCreateInFolder(b *testing.B) {
	ctx := context.Background()
	s, ws := newBenchStore(b)
	f := &quire.Folder{WorkspaceID: ws.ID, Name: "bench"}
	if err := NewFolderService(s.db, s.b).CreateFolder(ctx, f); err != nil {
		b.Fatal(err)
	}
	pairedRatio(b, "folder/none", func() error {
		return s.notes.CreateNote(ctx, &quire.Note{WorkspaceID: ws.ID, Title: benchTitle, Content: benchContent, FolderID: f.ID})
	}, func() error {
		return s.notes.CreateNote(ctx, &quire.Note{WorkspaceID: ws.ID, Title: benchTitle, Content: benchContent})
	})
}

// BenchmarkIdeaPromote measures PromoteIdea (read and decrypt the idea,
// seal the note, delete and insert in one transaction) against CreateNote
// of the same text, alternately in the same run; capturing the idea to
// promote is not counted.
func BenchmarkIdeaPromote(b *testing.B) {
	ctx := context.Background()
	s, ws := newBenchStore(b)
	ideas := NewIdeaService(s.db, s.b)
	text := benchTitle + "\n" + benchContent
	var promoteT, createT time.Duration
	for b.Loop() {
		i := &quire.Idea{WorkspaceID: ws.ID, Text: text}
		if err := ideas.CreateIdea(ctx, i); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if _, err := ideas.PromoteIdea(ctx, ws.ID, i.ID); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := s.notes.CreateNote(ctx, &quire.Note{WorkspaceID: ws.ID, Title: benchTitle, Content: text}); err != nil {
			b.Fatal(err)
		}
		promoteT, createT = promoteT+t1.Sub(t0), createT+time.Since(t1)
	}
	b.ReportMetric(float64(promoteT)/float64(createT), "promote/create")
}
