package export_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/rawscan"
)

func TestArchiveHoldsEverythingOfTheUserAndNothingElse(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice, bob := e.signUp("alice@example.com"), e.signUp("bob@example.com")
	e.fill(alice, "ALICE-MARKER-7f3a")
	e.fill(bob, "BOB-MARKER-19c2")
	x, err := e.svc.Start(ctx, alice.user.ID)
	must(t, err)
	if x.State != quire.ExportQueued {
		t.Fatalf("new export is %s, want queued", x.State)
	}
	x = e.build(alice.user.ID, x.ID)
	if x.State != quire.ExportReady || x.ItemsDone != 4 || x.ItemsTotal != 4 || x.Size == 0 || x.SHA256 == "" {
		t.Fatalf("built export = %+v, want ready with 4 of 4 items, a size and a digest", x)
	}
	if want := e.clock.Add(7 * 24 * time.Hour); !x.ExpiresAt.Equal(want.Truncate(time.Microsecond)) {
		t.Errorf("expires at %v, want %v (7 days)", x.ExpiresAt, want)
	}
	b := e.download(alice.user.ID, x.ID)
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != x.SHA256 || int64(len(b)) != x.Size {
		t.Errorf("downloaded %d bytes %x, export says %d bytes %s", len(b), sum, x.Size, x.SHA256)
	}
	got := zipFiles(t, b)
	checkManifest(t, got)
	for _, name := range []string{"README.md", "manifest.json", "profile.json", "workspaces.json", "folders.json", "ideas.csv",
		"ideas.json", "files.json", "shares.json", "sessions.json", "security-events.json"} {
		if _, ok := got[name]; !ok {
			t.Errorf("archive has no %s", name)
		}
	}
	kinds := map[string]bool{}
	for name, data := range got {
		if bytes.Contains(data, []byte("BOB-MARKER")) || bytes.Contains(data, []byte("bob@example.com")) {
			t.Errorf("%s holds another user's data", name)
		}
		if strings.HasSuffix(name, ".json") && !json.Valid(data) {
			t.Errorf("%s is not valid JSON", name)
		}
		switch {
		case strings.HasPrefix(name, "notes/") && strings.HasSuffix(name, ".md"):
			kinds["note.md"] = bytes.Contains(data, []byte("second ALICE-MARKER-7f3a"))
		case strings.HasPrefix(name, "notes/") && strings.HasSuffix(name, ".json"):
			kinds["note.json"] = bytes.Contains(data, []byte("first ALICE-MARKER-7f3a")) // the earlier version
			if !strings.Contains(name, "/Folder-ALICE-MARKER-7f3a-") {
				t.Errorf("note %s is not under its folder", name)
			}
		case strings.HasPrefix(name, "chats/"):
			kinds["chat"] = bytes.Contains(data, []byte("question ALICE-MARKER-7f3a"))
		case strings.HasPrefix(name, "files/"):
			kinds["file"] = string(data) == "file bytes ALICE-MARKER-7f3a"
		}
	}
	for _, k := range []string{"note.md", "note.json", "chat", "file"} {
		if !kinds[k] {
			t.Errorf("archive has no %s holding the marker", k)
		}
	}
	var filesJSON []struct {
		ID   string `json:"fileId"`
		Name string `json:"name"`
		Path string `json:"path"`
	}
	must(t, json.Unmarshal(got["files.json"], &filesJSON))
	if len(filesJSON) != 1 || filesJSON[0].Name != "notes ALICE-MARKER-7f3a.txt" || got[filesJSON[0].Path] == nil {
		t.Errorf("files.json does not list the file at its path in the archive:\n%s", got["files.json"])
	}
	var chat struct {
		Title    string `json:"title"`
		Messages []struct {
			Content string `json:"content"`
		} `json:"messages"`
	}
	for name, data := range got {
		if strings.HasPrefix(name, "chats/") {
			must(t, json.Unmarshal(data, &chat))
		}
	}
	if chat.Title != "Chat ALICE-MARKER-7f3a" || len(chat.Messages) != 1 || chat.Messages[0].Content != "question ALICE-MARKER-7f3a" {
		t.Errorf("the chat's JSON is %+v, want its title and its message", chat)
	}
	if !bytes.Contains(got["ideas.csv"], []byte("'=idea ALICE-MARKER-7f3a")) {
		t.Errorf("ideas.csv lacks the idea, defused against formulas:\n%s", got["ideas.csv"])
	}
	for _, name := range []string{"profile.json", "security-events.json", "sessions.json"} {
		if len(got[name]) < 10 {
			t.Errorf("%s is empty", name)
		}
	}
	if !bytes.Contains(got["profile.json"], []byte("alice@example.com")) || !bytes.Contains(got["security-events.json"], []byte("data_export_requested")) {
		t.Errorf("profile or security events incomplete")
	}
}

func TestOneActiveExportPerUserAndDailyLimit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a, other := e.signUp("alice@example.com"), e.signUp("bob@example.com")
	x, err := e.svc.Start(ctx, a.user.ID)
	must(t, err)
	if _, err := e.svc.Start(ctx, a.user.ID); quire.ErrorCode(err) != quire.ECONFLICT {
		t.Fatalf("second export while one is queued: %v, want conflict", err)
	}
	if _, err := e.svc.Start(ctx, other.user.ID); err != nil {
		t.Fatalf("another user's export refused: %v", err)
	}
	e.build(a.user.ID, x.ID)
	for range 2 {
		x, err = e.svc.Start(ctx, a.user.ID)
		must(t, err)
		e.build(a.user.ID, x.ID)
	}
	_, err = e.svc.Start(ctx, a.user.ID)
	if quire.ErrorCode(err) != quire.ERATELIMITED || quire.ErrorRetryAfter(err) <= 0 {
		t.Fatalf("fourth export in a day: %v, want rate limited with a retry time", err)
	}
	e.clock = e.clock.Add(25 * time.Hour)
	e.svc = e.newService()
	if _, err := e.svc.Start(ctx, a.user.ID); err != nil {
		t.Fatalf("export a day later: %v", err)
	}
}

func TestDownloadOnceThenGone(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a, other := e.signUp("alice@example.com"), e.signUp("bob@example.com")
	x, err := e.svc.Start(ctx, a.user.ID)
	must(t, err)
	if _, err := e.svc.Open(ctx, a.user.ID, x.ID); quire.ErrorCode(err) != quire.ECONFLICT {
		t.Fatalf("download before ready: %v, want conflict", err)
	}
	e.build(a.user.ID, x.ID)
	if _, err := e.svc.Open(ctx, other.user.ID, x.ID); quire.ErrorCode(err) != quire.ENOTFOUND {
		t.Fatalf("another user's download: %v, want not found", err)
	}
	e.download(a.user.ID, x.ID)
	if _, err := e.svc.Open(ctx, a.user.ID, x.ID); quire.ErrorCode(err) != quire.EEXPORTGONE {
		t.Fatalf("second download: %v, want gone", err)
	}
	if got, _ := e.svc.Export(ctx, a.user.ID, x.ID); got.State != quire.ExportDownloaded {
		t.Fatalf("state after download %s", got.State)
	}
	if n := countFiles(t, filepath.Join(e.dir, "exports")); n != 0 {
		t.Fatalf("%d archive files left after the download", n)
	}
}

func TestExpiryDeletesTheArchive(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.signUp("alice@example.com")
	x, err := e.svc.Start(ctx, a.user.ID)
	must(t, err)
	e.build(a.user.ID, x.ID)
	if n := countFiles(t, filepath.Join(e.dir, "exports")); n != 1 {
		t.Fatalf("%d archive files stored, want 1", n)
	}
	e.clock = e.clock.Add(7*24*time.Hour + time.Second)
	if _, err := e.svc.Open(ctx, a.user.ID, x.ID); quire.ErrorCode(err) != quire.EEXPORTGONE {
		t.Fatalf("download after expiry: %v, want gone", err)
	}
	n, err := e.svc.Sweep(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1 expired", n, err)
	}
	if got, _ := e.exports.FindExport(ctx, a.user.ID, x.ID); got.State != quire.ExportExpired {
		t.Fatalf("state after sweep %s, want expired", got.State)
	}
	if n := countFiles(t, filepath.Join(e.dir, "exports")); n != 0 {
		t.Fatalf("%d archive files left after expiry", n)
	}
}

func TestRestartResumesAnExportCutShort(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.signUp("alice@example.com")
	e.fill(a, "RESUME-MARKER")
	x, err := e.svc.Start(ctx, a.user.ID)
	must(t, err)
	// A crash in the middle: the row says running under the lease of an
	// instance gone (ended a minute ago), half an archive lies in the
	// store.
	must(t, e.exports.ClaimExport(ctx, x.ID, "crashed", e.clock.Add(-3*time.Minute), e.clock.Add(-time.Minute)))
	must(t, e.exports.SetExportProgress(ctx, x.ID, 2, 4))
	const half = "HALF-ARCHIVE-MARKER"
	putHalfArchive(t, e, x.ID, half)
	if n := countFiles(t, filepath.Join(e.dir, "exports")); n != 1 {
		t.Fatalf("%d archive files stored before the restart, want the half one", n)
	}
	e.svc = e.newService() // the restarted process
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); e.svc.Run(runCtx) }()
	defer func() { stop(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := e.svc.Export(ctx, a.user.ID, x.ID)
		must(t, err)
		if got.State == quire.ExportReady {
			if n := countFiles(t, filepath.Join(e.dir, "exports")); n != 1 {
				t.Fatalf("%d archive files stored after the rebuild, want 1", n)
			}
			b := e.download(a.user.ID, x.ID)
			if bytes.Contains(b, []byte(half)) {
				t.Fatal("the half archive was not removed: its bytes are in the download")
			}
			got := zipFiles(t, b)
			checkManifest(t, got)
			if !bytes.Contains(got["ideas.csv"], []byte("RESUME-MARKER")) {
				t.Fatal("the rebuilt archive lacks the user's data")
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("export still %s after the restart", got.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestArchiveIsEncryptedAtRest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.signUp("alice@example.com")
	const marker = "CANARY-EXPORT-5d1e9b"
	e.fill(a, marker)
	x, err := e.svc.Start(ctx, a.user.ID)
	must(t, err)
	x = e.build(a.user.ID, x.ID)
	if x.State != quire.ExportReady {
		t.Fatalf("export %s", x.State)
	}
	// Through the service the archive holds the marker (files are stored
	// in the ZIP uncompressed), so a plaintext archive on disk would too.
	d, err := e.svc.Open(ctx, a.user.ID, x.ID)
	must(t, err)
	found := scan(t, d, marker)
	_ = d.Close()
	if !found {
		t.Fatal("the decrypted archive does not hold the marker: the scan below would prove nothing")
	}
	err = filepath.WalkDir(filepath.Join(e.dir, "exports"), func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if scan(t, f, marker) {
			t.Errorf("%s holds the marker in plain text", path)
		}
		return nil
	})
	must(t, err)
}

// scan reports whether r holds marker.
func scan(t testing.TB, r interface{ Read([]byte) (int, error) }, marker string) bool {
	t.Helper()
	found := false
	_, err := rawscan.Reader(context.Background(), r, [][]byte{[]byte(marker)}, make([]byte, 64<<10), -1, func(int, int64) bool {
		found = true
		return false
	})
	must(t, err)
	return found
}

// countFiles counts the regular files under dir.
func countFiles(t testing.TB, dir string) int {
	t.Helper()
	n := 0
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			n++
		}
		return nil
	})
	return n
}

func TestForgetUserDeletesTheArchives(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a, other := e.signUp("leaving@example.com"), e.signUp("staying@example.com")
	xa, err := e.svc.Start(ctx, a.user.ID)
	must(t, err)
	xo, err := e.svc.Start(ctx, other.user.ID)
	must(t, err)
	e.build(a.user.ID, xa.ID)
	e.build(other.user.ID, xo.ID)
	must(t, e.svc.ForgetUser(ctx, a.user.ID))
	if _, err := e.svc.Open(ctx, a.user.ID, xa.ID); quire.ErrorCode(err) != quire.EEXPORTGONE {
		t.Fatalf("download after the account's deletion: %v, want gone", err)
	}
	if n := countFiles(t, filepath.Join(e.dir, "exports")); n != 1 {
		t.Fatalf("%d archive files left, want the other user's alone", n)
	}
	e.download(other.user.ID, xo.ID)
}

func TestRewrapMovesTheArchiveToTheNewestKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.signUp("rotating@example.com")
	e.fill(a, "REWRAP-MARKER")
	x, err := e.svc.Start(ctx, a.user.ID)
	must(t, err)
	x = e.build(a.user.ID, x.ID)
	before := archiveKeyVersion(t, e, x.ID)
	must(t, e.b.Rotate(ctx))
	must(t, e.svc.Rewrap(ctx, nil))
	if after := archiveKeyVersion(t, e, x.ID); after <= before {
		t.Fatalf("archive key wrapped under version %d after the rewrap, %d before", after, before)
	}
	checkManifest(t, zipFiles(t, e.download(a.user.ID, x.ID)))
}

// archiveKeyVersion reads the data-key version that wraps the stored
// archive's file key, from its header (package blob's format).
func archiveKeyVersion(t *testing.T, e *env, id string) uint32 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.dir, "exports", id, id))
	must(t, err)
	if len(b) < 11 || string(b[:4]) != "QBL1" {
		t.Fatalf("stored archive does not start as a blob")
	}
	n := int(b[9])<<8 | int(b[10])
	v, err := barrier.KeyVersion(b[11 : 11+n])
	must(t, err)
	return v
}
