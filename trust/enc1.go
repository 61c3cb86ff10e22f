package trust

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/quirehq/quire"
)

// checkENC1 writes a canary through the store and looks for its markers in
// the raw storage below the barrier.
func checkENC1(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	if !requireServices(&e, env) {
		return e.result()
	}
	if env.Inspector == nil {
		e.failf("store inspector not available: the raw storage cannot be scanned")
		return e.result()
	}
	sqlite := env.Backend == quire.BackendSQLite
	if sqlite && env.DataDir == "" {
		e.failf("data directory not available: on SQLite the raw files must be scanned")
		return e.result()
	}
	withCanary(ctx, &e, env, func(c *canary) {
		note, err := writeENC1Canary(ctx, c)
		if err != nil {
			e.failf("%v", err)
			return
		}
		e.notef("%d markers written through the store: %s", len(c.markers), markerFields(c.markers))
		if !roundTrip(ctx, &e, c, note) {
			return
		}
		scanStore(ctx, &e, env.Inspector, c.markers, note.ID)
		if env.DataDir == "" {
			e.notef("data directory: not given, so its files (blobs, logs) were not scanned")
			return
		}
		needles := append(markerNeedles(c.markers), []byte(note.ID))
		scanDataDir(ctx, &e, env, c.markers, needles)
	})
	return e.result()
}

func writeENC1Canary(ctx context.Context, c *canary) (*quire.Note, error) {
	if err := c.addUser(ctx); err != nil {
		return nil, err
	}
	w, err := c.addWorkspace(ctx)
	if err != nil {
		return nil, err
	}
	return c.addNote(ctx, w)
}

// roundTrip proves the markers were stored and are readable through the
// barrier, so that not finding them below it means they are encrypted
// rather than missing.
func roundTrip(ctx context.Context, e *evidence, c *canary, note *quire.Note) bool {
	got, err := c.env.Notes.FindNoteByID(ctx, note.WorkspaceID, note.ID)
	if err != nil {
		e.failf("read the canary note back: %v", err)
		return false
	}
	if got.Title != note.Title || got.Content != note.Content {
		e.failf("the canary note read back differs from what was written: the store does not round-trip content")
		return false
	}
	u, err := c.env.Users.FindUserByEmail(ctx, c.user.Email)
	if err != nil {
		e.failf("find the canary user by email: %v", err)
		return false
	}
	if u.ID != c.user.ID || u.Name != c.user.Name {
		e.failf("finding the canary user by email returned another record")
		return false
	}
	e.notef("round trip: the note read back through the store equals what was written, and the user was found by email (blind index)")
	return true
}

// scanStore asks the store to search its raw storage for each marker. The
// note's ID, which stores keep in clear as a key, is the control: if the
// scan cannot find it, it cannot be trusted to find anything.
func scanStore(ctx context.Context, e *evidence, ins quire.StoreInspector, markers []marker, noteID string) {
	found := 0
	for _, m := range markers {
		locs, err := ins.ScanRaw(ctx, []byte(m.value))
		if err != nil {
			e.failf("store raw scan: %v", err)
			return
		}
		if len(locs) > 0 {
			found++
			e.failf("the %s marker was found in clear in the store: %s", m.field, someOf(locs))
		}
	}
	ctrl, err := ins.ScanRaw(ctx, []byte(noteID))
	if err != nil {
		e.failf("store raw scan (control): %v", err)
		return
	}
	if len(ctrl) == 0 {
		e.failf("store raw scan control: the canary note's ID was not found, so the scan does not see stored rows and its result cannot be trusted")
		return
	}
	e.notef("store raw scan: %d of %d markers found; control: the canary note's ID was found in %s", found, len(markers), someOf(ctrl))
}

// scanDataDir streams the data directory for the markers, except the
// store's own database files (scanned by scanStore, with its control).
// needles holds the markers followed by the control, reported if found.
func scanDataDir(ctx context.Context, e *evidence, env *Env, markers []marker, needles [][]byte) {
	skip, err := storeFiles(env)
	if err != nil {
		e.failf("%v", err)
		return
	}
	res, err := scanDir(ctx, env.DataDir, needles, env.scanLimit(), skip)
	if errors.Is(err, errScanLimit) {
		e.failf("data directory scan stopped at its limit of %s (raise the scan limit): it could not be checked whole", humanBytes(env.scanLimit()))
	} else if err != nil {
		e.failf("%v", err)
		return
	}
	found := 0
	for i, m := range markers {
		if files := res.hits[i]; len(files) > 0 {
			found++
			e.failf("the %s marker was found in clear in %s", m.field, someOf(files))
		}
	}
	line := fmt.Sprintf("data directory: %d of %d markers found in %d files (%s), besides the %d database files the store scanned itself", found, len(markers), res.files, humanBytes(res.bytes), len(skip))
	ctrl := res.hits[len(markers)]
	switch {
	case len(ctrl) > 0:
		e.notef("%s; control: the canary note's ID was found in %s", line, someOf(ctrl))
	default:
		e.notef("%s", line)
	}
}

func markerNeedles(ms []marker) [][]byte {
	out := make([][]byte, len(ms))
	for i, m := range ms {
		out[i] = []byte(m.value)
	}
	return out
}

func markerFields(ms []marker) string {
	fields := make([]string, len(ms))
	for i, m := range ms {
		fields[i] = m.field
	}
	return strings.Join(fields, ", ")
}

// someOf lists the first few locations and counts the rest, so that a value
// found in many places does not flood the report.
func someOf(locs []string) string {
	const shown = 3
	if len(locs) <= shown {
		return strings.Join(locs, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(locs[:shown], ", "), len(locs)-shown)
}

// storeFiles returns the store's own files as paths relative to the data
// directory, for the directory scan to leave to the store. On SQLite they
// must lie inside the data directory, or the scans would miss them.
func storeFiles(env *Env) (map[string]bool, error) {
	skip := map[string]bool{}
	dir, err := filepath.Abs(env.DataDir)
	if err != nil {
		return nil, err
	}
	for _, f := range env.Inspector.RawFiles() {
		rel, err := filepath.Rel(dir, f)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, fmt.Errorf("the database file %s is outside the data directory, so its scan does not cover the data directory", filepath.Base(f))
		}
		skip[filepath.ToSlash(rel)] = true
	}
	return skip, nil
}
