package trust

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/quirehq/quire"
)

// ExportInfo describes the users' data exports (claim GDPR-1).
type ExportInfo struct {
	// Store is the export queue; nil fails the check.
	Store quire.ExportService
	// TTL is how long a ready archive may be downloaded.
	TTL time.Duration
	// Dir is the directory that keeps the ready archives.
	Dir string
	// Running is set by a serving instance whose worker builds exports
	// and deletes expired archives.
	Running bool
}

// Bounds of the GDPR-1 check.
const (
	// maxExportTTL is the longest a ready archive may wait.
	maxExportTTL = 30 * 24 * time.Hour
	// exportStuckAfter is how long an export may stay queued or running.
	exportStuckAfter = 24 * time.Hour
	// exportSweepGrace is how long an expired archive may outlive its
	// expiry before the worker's sweep (every 5 minutes) deletes it.
	exportSweepGrace = time.Hour
)

// blobMagic starts every encrypted blob (package blob's format).
var blobMagic = []byte("QBL1")

// checkGDPR1 reads the export queue and the archive directory: it fails
// if exports are not available, the expiry is not set within 30 days, an
// export has been stuck for a day, a ready archive outlived its expiry, or
// a file of the archive directory is not an encrypted blob (a plaintext
// archive at rest). Counts only, never who.
func checkGDPR1(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	x := env.Exports
	if x.Store == nil {
		e.failf("data exports are not available: run with the deployment's configuration")
		return e.result()
	}
	if x.TTL <= 0 || x.TTL > maxExportTTL {
		e.failf("ready archives expire after %s: want a period of at most 30 days (exports.ttl)", x.TTL)
	} else {
		e.notef("a ready archive can be downloaded once, within %s; it is deleted then, or at its first complete download", x.TTL)
	}
	if x.Running {
		e.notef("this server's export worker builds the queued exports, resumes those a restart cut short, and deletes expired archives every 5 minutes")
	}
	now := time.Now()
	list, err := x.Store.FindExportsByState(ctx, quire.ExportQueued, quire.ExportRunning, quire.ExportReady)
	if err != nil {
		e.failf("the export queue could not be read (%s)", quire.ErrorCode(err))
		return e.result()
	}
	var active, stuck, ready, overdue int
	for _, ex := range list {
		if ex.Active() {
			active++
			if now.Sub(ex.CreatedAt) > exportStuckAfter {
				stuck++
			}
			continue
		}
		ready++
		if now.Sub(ex.ExpiresAt) > exportSweepGrace {
			overdue++
		}
	}
	e.notef("%d exports being built, %d ready to download", active, ready)
	if stuck > 0 {
		e.failf("%d exports have been queued or running for more than a day", stuck)
	}
	if overdue > 0 {
		e.failf("%d ready archives are past their expiry and not deleted", overdue)
	}
	checkArchivesSealed(&e, x.Dir)
	return e.result()
}

// checkArchivesSealed fails for any file of dir that does not start as an
// encrypted blob does.
func checkArchivesSealed(e *evidence, dir string) {
	if dir == "" {
		e.notef("the archive directory is not known here; not scanned")
		return
	}
	files, plain := 0, 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		files++
		if !sealedFile(path) {
			plain++
		}
		return nil
	})
	switch {
	case os.IsNotExist(err):
		e.notef("no archive is stored yet")
	case err != nil:
		e.failf("the archive directory could not be scanned")
	case plain > 0:
		e.failf("%d of %d stored archives are not encrypted", plain, files)
	default:
		e.notef("%d stored archives, each an encrypted blob (AES-256-GCM under a key of its own, shredded with it)", files)
	}
}

// sealedFile reports whether the file at path starts with the blob magic.
func sealedFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(blobMagic))
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	return bytes.Equal(head, blobMagic)
}
