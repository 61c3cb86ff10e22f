package files_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// rotateAndRetire rotates the keys, re-encrypts the database and, if
// blobs is set, the files, and retires the old key versions.
func rotateAndRetire(t *testing.T, e *env, blobs bool) {
	t.Helper()
	ctx := context.Background()
	if err := e.b.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	e.advance(2 * time.Minute) // past the key cache TTL, as Retire requires
	plan, err := e.b.PlanRetire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.Rewrap(ctx, e.b, nil); err != nil {
		t.Fatal(err)
	}
	if blobs {
		done, total := 0, 0
		if err := e.svc.Rewrap(ctx, func(d, n int) { done, total = d, n }); err != nil {
			t.Fatal(err)
		}
		if n := len(e.blobIDs(e.ws)); done != total || total < n {
			t.Fatalf("Rewrap reported %d of %d blobs, with %d in one workspace alone", done, total, n)
		}
	}
	if n, _, err := e.b.Retire(ctx, plan); err != nil || n == 0 {
		t.Fatalf("Retire deleted %d data keys (%v), want the old versions gone", n, err)
	}
}

// TestRewrap: after rotation, Rewrap and Retire (which deletes the old
// key versions), every file reads back, in every workspace; without the
// files' Rewrap, the files stored before the rotation would be lost.
func TestRewrap(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		big := bytes.Repeat([]byte("chunk after chunk\n"), 20_000)
		before := e.upload(e.note(e.ws), "before.txt", big)
		other := e.workspace()
		elsewhere, err := e.svc.Upload(ctx, other, "", "other.png", bytes.NewReader(pngBytes(100)))
		if err != nil {
			t.Fatal(err)
		}
		rotateAndRetire(t, e, true)
		after := e.upload("", "after.md", []byte("# new"))
		for _, f := range []*quire.File{before, elsewhere, after} {
			got, data, err := e.read(f.WorkspaceID, f.ID)
			if err != nil || got.Name != f.Name || got.Size != int64(len(data)) {
				t.Fatalf("after rewrap and retire, %s reads %+v, %d bytes, %v", f.Name, got, len(data), err)
			}
		}
		if _, data, _ := e.read(e.ws, before.ID); !bytes.Equal(data, big) {
			t.Fatal("the big file changed in the rewrap")
		}
	})
}

// TestRetireWithoutRewrapLosesFiles is the control of TestRewrap: it
// shows that the blobs' file keys do depend on the old key versions.
func TestRetireWithoutRewrapLosesFiles(t *testing.T) {
	e := newEnv(t, backends["local"], nil)
	f := e.upload("", "a.txt", []byte("a"))
	rotateAndRetire(t, e, false)
	if _, _, err := e.read(e.ws, f.ID); err == nil {
		t.Fatal("a file stored before the rotation still reads after Retire without the files' Rewrap")
	}
}

// TestRewrapSkipsDamaged: a blob that fails its integrity check is left
// alone and counted; the others are re-encrypted.
func TestRewrapSkipsDamaged(t *testing.T) {
	e := newEnv(t, backends["local"], nil)
	ctx := context.Background()
	good := e.upload("", "good.txt", []byte("good"))
	bad := e.upload("", "bad.txt", []byte("bad"))
	key := e.ws + "/" + bad.ID
	rc, _, err := e.backend.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	raw := new(bytes.Buffer)
	_, _ = raw.ReadFrom(rc)
	_ = rc.Close()
	damaged := raw.Bytes()
	damaged[len(damaged)-1] ^= 1
	if err := e.backend.Put(ctx, key, bytes.NewReader(damaged)); err != nil {
		t.Fatal(err)
	}
	err = e.svc.Rewrap(ctx, nil)
	if quire.ErrorCode(err) != quire.EINTERNAL || !strings.Contains(quire.ErrorMessage(err), "1 stored files") {
		t.Fatalf("Rewrap with a damaged blob: %v, want it counted", err)
	}
	if _, data, err := e.read(e.ws, good.ID); err != nil || string(data) != "good" {
		t.Fatalf("the good file: %q, %v", data, err)
	}
}
