package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// seedNotes opens the data directory as quire does, stores n notes in one
// workspace and returns them.
func seedNotes(t *testing.T, data string, n int) []*quire.Note {
	t.Helper()
	ctx := context.Background()
	a, err := openApp(ctx, mustConfig(t, data), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	u := &quire.User{Email: "writer@example.com", Name: "Writer"}
	if err := a.stores.users.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	w := &quire.Workspace{Name: "Drafts", Region: quire.RegionUS, OwnerID: u.ID}
	if err := a.stores.workspaces.CreateWorkspace(ctx, w); err != nil {
		t.Fatal(err)
	}
	var notes []*quire.Note
	for i := range n {
		note := &quire.Note{WorkspaceID: w.ID, Title: fmt.Sprintf("title %d", i), Content: fmt.Sprintf("body %d", i)}
		if err := a.stores.notes.CreateNote(ctx, note); err != nil {
			t.Fatal(err)
		}
		notes = append(notes, note)
	}
	return notes
}

// readNotes reopens the data directory and checks every note reads back.
func readNotes(t *testing.T, data string, notes []*quire.Note) {
	t.Helper()
	ctx := context.Background()
	a, err := openApp(ctx, mustConfig(t, data), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, n := range notes {
		got, err := a.stores.notes.FindNoteByID(ctx, n.WorkspaceID, n.ID)
		if err != nil {
			t.Fatalf("note %s: %v", n.ID, err)
		}
		if got.Title != n.Title || got.Content != n.Content {
			t.Fatalf("note %s reads %q/%q, want %q/%q", n.ID, got.Title, got.Content, n.Title, n.Content)
		}
	}
}

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if err := run(context.Background(), args, &out, &errb); err != nil {
		t.Fatalf("quire %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// cancelOn cancels a context when the progress output names the records
// step past its start, as an operator pressing Ctrl-C would.
type cancelOn struct {
	mu     sync.Mutex
	buf    strings.Builder
	cancel context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if strings.Contains(c.buf.String(), "records  : 20%") {
		c.cancel()
	}
	return len(p), nil
}

func TestKeysRotateRewrapResumes(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	notes := seedNotes(t, data, 60)

	out := runOK(t, "keys", "status", "--data", data)
	if !strings.Contains(out, "Data keys:  2 in 2 scopes (0 not newest") {
		t.Fatalf("status before rotate:\n%s", out)
	}
	out = runOK(t, "keys", "rotate", "--data", data)
	if !strings.Contains(out, "Data keys:  4 in 2 scopes (2 not newest in their scope, 2 wrapped by an older keyring key)") {
		t.Fatalf("status after rotate:\n%s", out)
	}

	ctx, cancel := context.WithCancel(context.Background())
	progress := &cancelOn{cancel: cancel}
	err := run(ctx, []string{"keys", "rewrap", "--data", data}, &bytes.Buffer{}, progress)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "run `quire keys rewrap` again") {
		t.Fatalf("interrupted rewrap: err = %v; output:\n%s", err, progress.buf.String())
	}
	readNotes(t, data, notes) // nothing lost midway
	out = runOK(t, "keys", "status", "--data", data)
	if !strings.Contains(out, "(2 not newest") {
		t.Fatalf("old keys retired by an interrupted run:\n%s", out)
	}

	out = runOK(t, "keys", "rewrap", "--data", data)
	if !strings.Contains(out, "2 older data keys are kept: their successors are less than 1m0s old") {
		t.Fatalf("rewrap right after rotate should keep the old keys for now:\n%s", out)
	}
	readNotes(t, data, notes)
	later := time.Now().Add(2 * keyCacheTTL)
	now = func() time.Time { return later }
	t.Cleanup(func() { now = time.Now })
	out = runOK(t, "keys", "rewrap", "--data", data)
	for _, want := range []string{"Retired 2 data keys and 1 keyring keys", "Data keys:  2 in 2 scopes (0 not newest in their scope, 0 wrapped by an older keyring key)"} {
		if !strings.Contains(out, want) {
			t.Fatalf("rewrap output lacks %q:\n%s", want, out)
		}
	}
	readNotes(t, data, notes)
}

func TestKeysUsage(t *testing.T) {
	for _, args := range [][]string{{"keys"}, {"keys", "spin"}, {"nope"}, {}} {
		var errb bytes.Buffer
		err := run(context.Background(), args, &bytes.Buffer{}, &errb)
		var ec exitCode
		if !errors.As(err, &ec) || ec != 2 || !strings.Contains(errb.String(), "Usage") {
			t.Errorf("quire %v: err = %v, stderr = %q; want usage and exit 2", args, err, errb.String())
		}
	}
}
