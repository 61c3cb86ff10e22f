package export_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/blob"
	"github.com/quirehq/quire/export"
	"github.com/quirehq/quire/files"
)

// gatedFiles holds every file's opening until gate is closed (or the
// export is cancelled), and says on entered when the first one waits.
type gatedFiles struct {
	*files.Service
	gate    chan struct{}
	entered chan struct{}
	once    sync.Once
}

func newGatedFiles(fs *files.Service) *gatedFiles {
	return &gatedFiles{Service: fs, gate: make(chan struct{}), entered: make(chan struct{})}
}

func (g *gatedFiles) Open(ctx context.Context, ws, id string) (*quire.File, io.ReadCloser, error) {
	g.once.Do(func() { close(g.entered) })
	select {
	case <-g.gate:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	return g.Service.Open(ctx, ws, id)
}

// wait waits for ch, or fails the test after 10 seconds.
func wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// processInBackground runs svc.Process once in the background; the
// returned channel closes when it returns.
func processInBackground(t *testing.T, svc *export.Service) <-chan struct{} {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := svc.Process(context.Background()); err != nil {
			t.Errorf("Process: %v", err)
		}
	}()
	return done
}

// TestTwoDownloadsAtOnceOnlyOneStreams: of two downloads started at once,
// one streams the archive and the other is told it is gone; a download
// that fails puts the archive back for another try.
func TestTwoDownloadsAtOnceOnlyOneStreams(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.signUp("alice@example.com")
	e.fill(a, "TWICE-MARKER")
	x, err := e.svc.Start(ctx, a.user.ID)
	must(t, err)
	e.build(a.user.ID, x.ID)

	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		ds    [2]*export.Download
		errs  [2]error
	)
	for i := range 2 {
		wg.Go(func() {
			<-start
			ds[i], errs[i] = e.svc.Open(ctx, a.user.ID, x.ID)
		})
	}
	close(start)
	wg.Wait()
	opened := 0
	var d *export.Download
	for i := range 2 {
		switch {
		case errs[i] == nil:
			opened++
			d = ds[i]
		case quire.ErrorCode(errs[i]) != quire.EEXPORTGONE:
			t.Errorf("download %d: %v, want gone", i, errs[i])
		}
	}
	if opened != 1 {
		t.Fatalf("%d downloads opened the archive at once, want 1", opened)
	}
	// The download fails half way: the archive may be downloaded again.
	if _, err := io.CopyN(io.Discard, d, 100); err != nil {
		t.Fatal(err)
	}
	must(t, d.Close())
	checkManifest(t, zipFiles(t, e.download(a.user.ID, x.ID)))
	if _, err := e.svc.Open(ctx, a.user.ID, x.ID); quire.ErrorCode(err) != quire.EEXPORTGONE {
		t.Fatalf("download after a complete one: %v, want gone", err)
	}
}

// TestALiveLeaseKeepsOtherInstancesOff: an instance building an export
// renews its lease, so another instance that starts meanwhile leaves the
// export alone even after the first lease would have ended; a lease left
// by a stopped instance is taken over once it has ended.
func TestALiveLeaseKeepsOtherInstancesOff(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.signUp("alice@example.com")
	e.fill(a, "LEASE-MARKER")
	x, err := e.svc.Start(ctx, a.user.ID)
	must(t, err)
	const lease = 150 * time.Millisecond
	gated := newGatedFiles(e.files)
	first := e.newServiceWith(func(c *export.Config) { c.Worker, c.Lease, c.Now, c.Files = "first", lease, time.Now, gated })
	second := e.newServiceWith(func(c *export.Config) { c.Worker, c.Lease, c.Now = "second", lease, time.Now })
	done := processInBackground(t, first)
	wait(t, gated.entered, "the first instance's build")
	time.Sleep(3 * lease) // the first lease has ended, renewed since
	if n, err := second.Process(ctx); err != nil || n != 0 {
		t.Fatalf("another instance's Process = %d, %v; want 0 while the export is being built", n, err)
	}
	got, err := e.exports.FindExport(ctx, a.user.ID, x.ID)
	must(t, err)
	if got.State != quire.ExportRunning || got.Worker != "first" {
		t.Fatalf("export %s under %q, want running under the first instance", got.State, got.Worker)
	}
	close(gated.gate)
	wait(t, done, "the first instance's build to end")
	checkManifest(t, zipFiles(t, e.download(a.user.ID, x.ID)))

	// A stopped instance's lease: taken over once it has ended, not before.
	y, err := e.svc.Start(ctx, a.user.ID)
	must(t, err)
	must(t, e.exports.ClaimExport(ctx, y.ID, "stopped", e.clock, e.clock.Add(export.DefaultLease)))
	if n, err := e.svc.Process(ctx); err != nil || n != 0 {
		t.Fatalf("Process under a live lease = %d, %v; want 0", n, err)
	}
	e.clock = e.clock.Add(export.DefaultLease + time.Second)
	if got := e.build(a.user.ID, y.ID); got.State != quire.ExportReady {
		t.Fatalf("export left by a stopped instance is %s, want ready", got.State)
	}
}

// TestForgetUserStopsAnExportBeingBuilt: an account's deletion fails its
// exports queued or being built, and the archive being built is removed
// as soon as the build finds out: at its next lease renewal, or at its
// final update.
func TestForgetUserStopsAnExportBeingBuilt(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lease time.Duration
	}{{"renewal", 50 * time.Millisecond}, {"final update", time.Hour}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			a := e.signUp("leaving@example.com")
			e.fill(a, "LEAVING-MARKER")
			x, err := e.svc.Start(ctx, a.user.ID)
			must(t, err)
			gated := newGatedFiles(e.files)
			svc := e.newServiceWith(func(c *export.Config) { c.Lease, c.Now, c.Files = tc.lease, time.Now, gated })
			done := processInBackground(t, svc)
			wait(t, gated.entered, "the build")
			must(t, svc.ForgetUser(ctx, a.user.ID))
			got, err := e.exports.FindExport(ctx, a.user.ID, x.ID)
			must(t, err)
			if got.State != quire.ExportFailed || got.FailCode != quire.ExportFailAccountDeleted {
				t.Fatalf("export after ForgetUser: %s (%q), want failed (%q)", got.State, got.FailCode, quire.ExportFailAccountDeleted)
			}
			if tc.lease < time.Second {
				time.Sleep(3 * tc.lease) // the renewal finds out and stops the build
			}
			close(gated.gate)
			wait(t, done, "the build to end")
			if got, _ := e.exports.FindExport(ctx, a.user.ID, x.ID); got.State != quire.ExportFailed {
				t.Fatalf("export after its build: %s, want failed", got.State)
			}
			if n := countFiles(t, filepath.Join(e.dir, "exports")); n != 0 {
				t.Fatalf("%d archive files left after the account's deletion", n)
			}
		})
	}
	t.Run("queued", func(t *testing.T) {
		e := newEnv(t)
		ctx := context.Background()
		a := e.signUp("leaving@example.com")
		x, err := e.svc.Start(ctx, a.user.ID)
		must(t, err)
		must(t, e.svc.ForgetUser(ctx, a.user.ID))
		if got := e.build(a.user.ID, x.ID); got.State != quire.ExportFailed {
			t.Fatalf("queued export after ForgetUser and a build: %s, want failed", got.State)
		}
		if n := countFiles(t, filepath.Join(e.dir, "exports")); n != 0 {
			t.Fatalf("%d archive files stored for a deleted account", n)
		}
	})
}

// TestRewrapDoesNotBringBackADeletedArchive: an archive downloaded (and
// deleted) while the rewrap rewrites it is removed again at once.
func TestRewrapDoesNotBringBackADeletedArchive(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.signUp("rotating@example.com")
	e.fill(a, "REWRAP-RACE")
	x, err := e.svc.Start(ctx, a.user.ID)
	must(t, err)
	x = e.build(a.user.ID, x.ID)
	var once sync.Once
	e.backend.beforePut = func(string) {
		once.Do(func() { must(t, e.svc.Downloaded(ctx, x)) }) // a download completes meanwhile
	}
	must(t, e.svc.Rewrap(ctx, nil))
	e.backend.beforePut = nil
	if got, _ := e.exports.FindExport(ctx, a.user.ID, x.ID); got.State != quire.ExportDownloaded {
		t.Fatalf("export %s, want downloaded", got.State)
	}
	if n := countFiles(t, filepath.Join(e.dir, "exports")); n != 0 {
		t.Fatalf("%d archive files stored after the rewrap of a downloaded export", n)
	}

	// An archive left by an export no longer ready is not rewritten.
	y, err := e.svc.Start(ctx, a.user.ID)
	must(t, err)
	e.build(a.user.ID, y.ID)
	y.State = quire.ExportFailed
	must(t, e.exports.UpdateExport(ctx, y)) // the archive is still there, for the sweep
	puts := 0
	e.backend.beforePut = func(string) { puts++ }
	must(t, e.svc.Rewrap(ctx, nil))
	if puts != 0 {
		t.Fatalf("the rewrap rewrote %d archives of exports not ready", puts)
	}
}

// putHalfArchive stores, as a crash would leave it, the start of an
// archive of export id holding marker.
func putHalfArchive(t *testing.T, e *env, id, marker string) {
	t.Helper()
	st, err := blob.New(e.b, e.backend, blob.Options{})
	must(t, err)
	half := "PK\x03\x04" + strings.Repeat(marker, 100)
	_, err = st.Put(context.Background(), id, id, strings.NewReader(half), int64(len(half)))
	must(t, err)
}

// failingFiles fails every opening with an error whose text names what
// must not reach a log.
type failingFiles struct{ *files.Service }

func (failingFiles) Open(context.Context, string, string) (*quire.File, io.ReadCloser, error) {
	return nil, nil, errors.New("open /srv/quire/SECRET-FILE-NAME.txt: input/output error")
}

// TestAFailedExportLogsItsCodeOnly: the log of a failed export names its
// code, never the error's text (which may hold paths or content).
func TestAFailedExportLogsItsCodeOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.signUp("failing@example.com")
	e.fill(a, "FAIL-MARKER")
	var log bytes.Buffer
	e.svc = e.newServiceWith(func(c *export.Config) {
		c.Files = failingFiles{e.files}
		c.Logger = slog.New(slog.NewTextHandler(&log, nil))
	})
	x, err := e.svc.Start(ctx, a.user.ID)
	must(t, err)
	if got := e.build(a.user.ID, x.ID); got.State != quire.ExportFailed || got.FailCode != quire.EINTERNAL {
		t.Fatalf("export %s (%q), want failed (internal)", got.State, got.FailCode)
	}
	if !strings.Contains(log.String(), "data export failed") || !strings.Contains(log.String(), "code=internal") {
		t.Fatalf("the failure is not logged with its code:\n%s", log.String())
	}
	if strings.Contains(log.String(), "SECRET") || strings.Contains(log.String(), "input/output") {
		t.Fatalf("the log holds the error's text:\n%s", log.String())
	}
	if n := countFiles(t, filepath.Join(e.dir, "exports")); n != 0 {
		t.Fatalf("%d archive files left by a failed export", n)
	}
}
