package files_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/blob"
	"github.com/quirehq/quire/files"
)

// TestDelete: the row and then the blob go; a second delete, another
// workspace's and a malformed ID are not found.
func TestDelete(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f, keep := e.upload("", "a.png", pngBytes(10)), e.upload("", "b.png", pngBytes(10))
		wantCode(t, e.svc.Delete(ctx, e.workspace(), f.ID), quire.ENOTFOUND)
		wantCode(t, e.svc.Delete(ctx, e.ws, "../"+f.ID), quire.ENOTFOUND)
		if err := e.svc.Delete(ctx, e.ws, f.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.svc.Delete(ctx, e.ws, f.ID), quire.ENOTFOUND)
		_, _, err := e.read(e.ws, f.ID)
		wantCode(t, err, quire.ENOTFOUND)
		if b, r := e.blobIDs(e.ws), e.rowIDs(e.ws); !slices.Equal(b, []string{keep.ID}) || !slices.Equal(r, []string{keep.ID}) {
			t.Fatalf("after the delete: blobs %v, rows %v; want only %s", b, r, keep.ID)
		}
	})
}

// failingDeletes is a backend whose Delete fails: the blob of a deleted
// row stays behind, as after a crash between the two steps.
type failingDeletes struct{ blob.Backend }

func (failingDeletes) Delete(context.Context, string) error { return errors.New("disk on fire") }

// TestDeleteLeavesOrphanNotGhost: when the blob cannot be deleted, the
// file is still deleted for the caller (its row is gone) and the blob is
// left for Sweep: never a row without its blob.
func TestDeleteLeavesOrphanNotGhost(t *testing.T) {
	for name, mk := range backends {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, mk, nil)
			ctx := context.Background()
			note := e.note(e.ws)
			e.upload(note, "a.png", pngBytes(10))
			g := e.upload("", "b.png", pngBytes(10))
			broken, err := blob.New(e.b, failingDeletes{e.backend}, blob.Options{})
			if err != nil {
				t.Fatal(err)
			}
			cfg := e.cfg
			cfg.Blobs = broken
			svc, err := files.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.Delete(ctx, e.ws, g.ID); err != nil {
				t.Fatalf("Delete with a failing blob delete: %v, want success (the row is gone)", err)
			}
			del := func(ctx context.Context) error { return e.notes.DeleteNote(ctx, e.ws, note) }
			if err := svc.DeleteForNote(ctx, e.ws, note, del); err != nil {
				t.Fatalf("DeleteForNote with a failing blob delete: %v", err)
			}
			if r, b := e.rowIDs(e.ws), e.blobIDs(e.ws); len(r) != 0 || len(b) != 2 {
				t.Fatalf("rows %v, blobs %v; want no rows and both blobs left for Sweep", r, b)
			}
			sweepTwice(t, e, 2)
		})
	}
}

// sweepTwice runs Sweep, which only notes the orphans, then again after
// the grace period, and wants n deleted.
func sweepTwice(t *testing.T, e *env, n int) {
	t.Helper()
	ctx := context.Background()
	if got, err := e.svc.Sweep(ctx, e.ws); err != nil || got != 0 {
		t.Fatalf("first Sweep deleted %d (%v), want 0: nothing is due before the grace period", got, err)
	}
	e.advance(files.DefaultGrace)
	if got, err := e.svc.Sweep(ctx, e.ws); err != nil || got != n {
		t.Fatalf("Sweep after the grace period deleted %d (%v), want %d", got, err, n)
	}
	rows := e.rowIDs(e.ws)
	slices.Sort(rows)
	if b := e.blobIDs(e.ws); !slices.Equal(b, rows) {
		t.Fatalf("after the sweep, blobs %v differ from rows %v", b, rows)
	}
}

// TestDeleteForNote deletes a note with its files, leaves other files
// alone, and deletes nothing when the note's delete fails.
func TestDeleteForNote(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		note, other := e.note(e.ws), e.note(e.ws)
		e.upload(note, "a.png", pngBytes(10))
		e.upload(note, "b.txt", []byte("b"))
		kept := []string{e.upload(other, "c.txt", []byte("c")).ID, e.upload("", "d.txt", []byte("d")).ID}
		slices.Sort(kept)
		refused := errors.New("refused")
		err := e.svc.DeleteForNote(ctx, e.ws, note, func(context.Context) error { return refused })
		if !errors.Is(err, refused) || len(e.blobIDs(e.ws)) != 4 || len(e.rowIDs(e.ws)) != 4 {
			t.Fatalf("a failed note delete: %v, %d blobs, %d rows; want its error and all four files", err, len(e.blobIDs(e.ws)), len(e.rowIDs(e.ws)))
		}
		del := func(ctx context.Context) error { return e.notes.DeleteNote(ctx, e.ws, note) }
		if err := e.svc.DeleteForNote(ctx, e.ws, note, del); err != nil {
			t.Fatal(err)
		}
		rows := e.rowIDs(e.ws)
		slices.Sort(rows)
		if b := e.blobIDs(e.ws); !slices.Equal(b, kept) || !slices.Equal(rows, kept) {
			t.Fatalf("blobs %v, rows %v; want only %v", b, rows, kept)
		}
		wantCode(t, e.svc.DeleteForNote(ctx, e.ws, note, del), quire.ENOTFOUND)
		wantCode(t, e.svc.DeleteForNote(ctx, e.ws, "x", del), quire.ENOTFOUND)
	})
}

// TestSweep: blobs without rows go once seen for the grace period; an
// upload in flight (blob stored, row not yet written) and every file
// with a row stay; other workspaces are untouched.
func TestSweep(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		other := e.workspace()
		kept := []string{e.upload("", "a.txt", []byte("a")).ID, e.upload("", "b.png", pngBytes(1)).ID}
		orphan, inflight, elsewhere := quire.NewID(), quire.NewID(), quire.NewID()
		for _, b := range []struct{ ws, id string }{{e.ws, orphan}, {e.ws, inflight}, {other, elsewhere}} {
			if _, err := e.blobs.Put(ctx, b.ws, b.id, bytesReader("x"), 10); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := e.svc.Sweep(ctx, e.ws); n != 0 || err != nil {
			t.Fatalf("first Sweep deleted %d (%v), want 0", n, err)
		}
		e.advance(files.DefaultGrace - time.Second)
		if n, err := e.svc.Sweep(ctx, e.ws); n != 0 || err != nil {
			t.Fatalf("Sweep within the grace period deleted %d (%v), want 0", n, err)
		}
		// The in-flight upload writes its row now.
		f := &quire.File{ID: inflight, WorkspaceID: e.ws, Name: "late.txt", MediaType: blob.TypeText, Size: 1}
		if err := e.store.CreateFile(ctx, f); err != nil {
			t.Fatal(err)
		}
		e.advance(time.Second)
		if n, err := e.svc.Sweep(ctx, e.ws); n != 1 || err != nil {
			t.Fatalf("Sweep after the grace period deleted %d (%v), want the one orphan", n, err)
		}
		want := append(kept, inflight)
		slices.Sort(want)
		if got := e.blobIDs(e.ws); !slices.Equal(got, want) {
			t.Fatalf("blobs %v after the sweep, want %v", got, want)
		}
		if got := e.blobIDs(other); !slices.Equal(got, []string{elsewhere}) {
			t.Fatalf("the sweep of one workspace touched another's: %v", got)
		}
		_, err := e.svc.Sweep(ctx, "../x")
		wantCode(t, err, quire.EINVALID)
	})
}

// TestDeleteWorkspace removes every blob of one workspace and no other.
func TestDeleteWorkspace(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.upload("", "a.txt", []byte("a"))
		e.upload(e.note(e.ws), "b.txt", []byte("b"))
		other := e.workspace()
		g, err := e.svc.Upload(ctx, other, "", "c.txt", bytesReader("c"))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.wss.DeleteWorkspace(ctx, e.ws); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteWorkspace(ctx, e.ws); err != nil {
			t.Fatal(err)
		}
		if b := e.blobIDs(e.ws); len(b) != 0 {
			t.Fatalf("blobs %v of the deleted workspace remain", b)
		}
		if _, data, err := e.read(other, g.ID); err != nil || string(data) != "c" {
			t.Fatalf("the other workspace's file: %q, %v", data, err)
		}
		wantCode(t, e.svc.DeleteWorkspace(ctx, "../x"), quire.EINVALID)
	})
}

// TestSweepAll sweeps every workspace with blobs, including one deleted
// with its rows while its blobs were left behind.
func TestSweepAll(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		kept := e.upload("", "kept.txt", []byte("k"))
		gone := e.workspace()
		if _, err := e.svc.Upload(ctx, gone, "", "a.txt", bytesReader("a")); err != nil {
			t.Fatal(err)
		}
		if err := e.wss.DeleteWorkspace(ctx, gone); err != nil {
			t.Fatal(err)
		}
		if n, err := e.svc.SweepAll(ctx); n != 0 || err != nil {
			t.Fatalf("first SweepAll deleted %d (%v), want 0", n, err)
		}
		e.advance(files.DefaultGrace)
		if n, err := e.svc.SweepAll(ctx); n != 1 || err != nil {
			t.Fatalf("SweepAll after the grace period deleted %d (%v), want the deleted workspace's blob", n, err)
		}
		if b := e.blobIDs(e.ws); !slices.Equal(b, []string{kept.ID}) || len(e.blobIDs(gone)) != 0 {
			t.Fatalf("blobs after SweepAll: %v and %v", b, e.blobIDs(gone))
		}
	})
}
