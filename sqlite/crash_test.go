package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/sqlite"
)

// Environment of the child process of TestKillDuringWrites.
const (
	crashDBEnv  = "QUIRE_TEST_CRASH_DB"
	crashKeyEnv = "QUIRE_TEST_CRASH_KEY"
	crashWSEnv  = "QUIRE_TEST_CRASH_WORKSPACE"
)

// TestCrashChild is the child process of TestKillDuringWrites: it writes
// notes from several goroutines until it is killed, printing "ack ID N" once
// each CreateNote has returned.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashDBEnv)
	if path == "" {
		t.Skip("helper process of TestKillDuringWrites")
	}
	ctx := context.Background()
	key, err := base64.StdEncoding.DecodeString(os.Getenv(crashKeyEnv))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := barrier.Open(ctx, barrier.StaticSource(key), sqlite.NewKeyStore(db), barrier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	notes := sqlite.NewNoteService(db, b)
	ws := os.Getenv(crashWSEnv)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; ; i += 4 {
				n := &quire.Note{WorkspaceID: ws, Title: crashTitle(i), Content: strings.Repeat("durable ", 64)}
				if err := notes.CreateNote(ctx, n); err != nil {
					fmt.Fprintln(os.Stderr, "CreateNote:", err)
					os.Exit(2)
				}
				fmt.Printf("ack %s %d\n", n.ID, i)
			}
		})
	}
	wg.Wait()
}

func crashTitle(i int) string { return fmt.Sprintf("crash note %d", i) }

// TestKillDuringWrites runs TestCrashChild in a child process, kills it
// with SIGKILL while it writes, and checks that every note it acknowledged
// is in the reopened database and decrypts, and that the file is intact.
func TestKillDuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "quire.db")
	key := newKey()
	s := mustOpen(t, path, key)
	owner := &quire.User{Email: "crash@example.com"}
	if err := s.Users.CreateUser(ctx, owner); err != nil {
		t.Fatal(err)
	}
	ws := &quire.Workspace{Name: "crash", Region: quire.RegionUS, OwnerID: owner.ID}
	if err := s.Workspaces.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}

	acks := runAndKill(t, path, key, ws.ID)
	if len(acks) == 0 {
		t.Fatal("the child acknowledged no write before it was killed")
	}
	s = s.Reopen(t)
	for id, i := range acks {
		n, err := s.Notes.FindNoteByID(ctx, ws.ID, id)
		if err != nil {
			t.Fatalf("acknowledged note %d lost after kill -9: %v", i, err)
		}
		if n.Title != crashTitle(i) {
			t.Fatalf("note %d has title %q", i, n.Title)
		}
	}
	_, total, err := s.Notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: ws.ID})
	if err != nil || total < len(acks) {
		t.Fatalf("FindNotes total %d for %d acknowledged (%v)", total, len(acks), err)
	}
	checkIntegrity(t, path)
	t.Logf("%d acknowledged notes survived kill -9 (%d stored)", len(acks), total)
}

// runAndKill starts the child, waits for its first acknowledgement, lets it
// write for half a second, kills it and returns the acknowledged note IDs.
func runAndKill(t *testing.T, path string, key []byte, wsID string) map[string]int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDBEnv+"="+path, crashKeyEnv+"="+base64.StdEncoding.EncodeToString(key), crashWSEnv+"="+wsID)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acks := map[string]int{}
	first := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		readAcks(out, acks, first)
	}()
	select {
	case <-first:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the child wrote nothing within 30 s")
	}
	time.Sleep(500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("the child ended with %v, want killed", err)
	}
	return acks
}

// readAcks collects "ack ID N" lines; a last line cut off by the kill has no
// newline and is not an acknowledgement.
func readAcks(r io.Reader, acks map[string]int, first chan struct{}) {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		var id string
		var i int
		if _, err := fmt.Sscanf(line, "ack %s %d\n", &id, &i); err == nil {
			if len(acks) == 0 {
				close(first)
			}
			acks[id] = i
		}
	}
}

func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v", res, err)
	}
}
