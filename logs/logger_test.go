package logs

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable time source shared with the sweeper goroutine.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// logDir returns a private directory for log files.
func logDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "logs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

func mustNew(t *testing.T, opts Options) *Logger {
	t.Helper()
	l, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestRotationAtUTCMidnight(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "logs")
	clk := newClock(date("2026-03-01T23:59:58Z"))
	var stderr syncBuffer
	l := mustNew(t, Options{Dir: dir, Retention: 72 * time.Hour, Stderr: &stderr, Now: clk.Now})

	l.Slog().Info("before midnight", "email", "a@example.com")
	clk.Set(date("2026-03-02T00:00:01Z"))
	l.Slog().Info("after midnight")
	// 21:00 in New York on the 2nd is the 3rd in UTC.
	clk.Set(date("2026-03-02T21:00:00-05:00"))
	l.Slog().Info("next UTC day")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	want := map[string]string{
		"quire-2026-03-01.log": "before midnight",
		"quire-2026-03-02.log": "after midnight",
		"quire-2026-03-03.log": "next UTC day",
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"quire-2026-03-01.log", "quire-2026-03-02.log", "quire-2026-03-03.log"}) {
		t.Fatalf("files = %q", got)
	}
	for name, msg := range want {
		content := readFile(t, filepath.Join(dir, name))
		if strings.Count(content, "\n") != 1 || !strings.Contains(content, `"msg":"`+msg+`"`) {
			t.Errorf("%s = %q, want only the record %q", name, content, msg)
		}
		if strings.Contains(content, "a@example.com") {
			t.Errorf("%s holds an unmasked email: %s", name, content)
		}
	}
	for _, msg := range want {
		if !strings.Contains(stderr.String(), msg) {
			t.Errorf("stderr lacks %q: %s", msg, stderr.String())
		}
	}
}

func TestFileModes(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "logs")
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Dir: dir}); err == nil || !strings.Contains(err.Error(), "open to other users") {
		t.Errorf("New accepted a directory others can read: %v", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "quire-2026-03-01.log")
	if err := os.WriteFile(existing, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l := mustNew(t, Options{Dir: dir, Now: newClock(date("2026-03-01T10:00:00Z")).Now})
	l.Slog().Info("hello")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	created := filepath.Join(t.TempDir(), "a", "b")
	mustNew(t, Options{Dir: created}).Slog().Info("x")
	for path, want := range map[string]fs.FileMode{created: 0o700, existing: 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s mode = %o, want %o", path, got, want)
		}
	}
	if got := readFile(t, existing); !strings.HasPrefix(got, "old\n") || !strings.Contains(got, "hello") {
		t.Errorf("the day's file was not appended to: %q", got)
	}
}

func TestRetentionSweep(t *testing.T) {
	t.Parallel()
	dir := logDir(t)
	outside := filepath.Join(t.TempDir(), "precious.log")
	write := func(name string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{
		"quire-2026-02-01.log", "quire-2026-02-26.log", "quire-2026-02-27.log", "quire-2026-03-01.log",
		"other.log", "quire-2026-02-01.log.gz", "quire-notadate.log", "quire-2026-2-1.log",
		"quire-2026-02-01.txt", "notes.txt", "quire-2026-02-30.log",
	} {
		write(name)
	}
	if err := os.Mkdir(filepath.Join(dir, "quire-2026-01-01.log"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outside, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "quire-2026-01-02.log")); err != nil {
		t.Fatal(err)
	}

	// Cutoff 2026-02-26T12:00Z: the 26th began before it, the 27th after.
	clk := newClock(date("2026-03-01T12:00:00Z"))
	l := mustNew(t, Options{Dir: dir, Retention: 3 * 24 * time.Hour, Now: clk.Now})
	want := []string{
		"notes.txt", "other.log", "quire-2026-01-01.log", "quire-2026-01-02.log",
		"quire-2026-02-01.log.gz", "quire-2026-02-01.txt", "quire-2026-02-27.log",
		"quire-2026-02-30.log", "quire-2026-03-01.log", "quire-2026-2-1.log", "quire-notadate.log",
	}
	if got := listDir(t, dir); !slices.Equal(got, want) {
		t.Errorf("after the start-up sweep:\n got %q\nwant %q", got, want)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("the symlink's target was touched: %v", err)
	}

	clk.Set(date("2026-03-02T00:00:00Z"))
	if n, err := l.Sweep(); err != nil || n != 1 {
		t.Errorf("Sweep() = %d, %v; want the 27th's file", n, err)
	}
	if n, err := l.Sweep(); err != nil || n != 0 {
		t.Errorf("second Sweep() = %d, %v; want 0", n, err)
	}
}

func TestSweepOnRotation(t *testing.T) {
	t.Parallel()
	dir := logDir(t)
	clk := newClock(date("2026-03-01T10:00:00Z"))
	l := mustNew(t, Options{Dir: dir, Retention: 24 * time.Hour, Now: clk.Now})
	l.Slog().Info("first")
	if err := os.WriteFile(filepath.Join(dir, "quire-2026-02-28.log"), []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	clk.Set(date("2026-03-02T00:30:00Z"))
	l.Slog().Info("second")
	if got := listDir(t, dir); !slices.Equal(got, []string{"quire-2026-03-02.log"}) {
		t.Errorf("after rotation: %q", got)
	}
}

func TestSweepWithoutWrites(t *testing.T) {
	t.Parallel()
	dir := logDir(t)
	clk := newClock(date("2026-03-01T10:00:00Z"))
	l := mustNew(t, Options{Dir: dir, Retention: 24 * time.Hour, Now: clk.Now})
	l.Slog().Info("only record")
	clk.Set(date("2026-03-03T00:00:00Z"))
	l.file.tick() // what the sweeper goroutine does at midnight
	if got := listDir(t, dir); len(got) != 0 {
		t.Errorf("retention did not hold without writes: %q", got)
	}
}

func TestStderrOnly(t *testing.T) {
	t.Parallel()
	var stderr syncBuffer
	l := mustNew(t, Options{Stderr: &stderr, Level: slog.LevelWarn})
	l.Slog().Info("quiet")
	l.Slog().Warn("loud", "token", "t0k3n")
	if got := stderr.String(); strings.Contains(got, "quiet") || !strings.Contains(got, `"token":"[REDACTED]"`) {
		t.Errorf("stderr = %s", got)
	}
	if n, err := l.Sweep(); n != 0 || err != nil {
		t.Errorf("Sweep() = %d, %v", n, err)
	}
	if err := l.Close(); err != nil {
		t.Error(err)
	}
}

func TestRecordTimesAreUTC(t *testing.T) {
	t.Parallel()
	local := time.Date(2026, 3, 2, 1, 0, 0, 0, time.FixedZone("UTC+5", 5*3600))
	a := utcTime(nil, slog.Time(slog.TimeKey, local))
	if got := a.Value.Time(); got.Location() != time.UTC || !got.Equal(local) {
		t.Errorf("record time = %v, want %v in UTC", got, local)
	}
	nested := utcTime([]string{"g"}, slog.Time(slog.TimeKey, local))
	if nested.Value.Time().Location() == time.UTC {
		t.Error("a time attribute inside a group was rewritten")
	}
	var stderr syncBuffer
	l := mustNew(t, Options{Stderr: &stderr})
	l.Slog().Info("m")
	if !strings.Contains(stderr.String(), `Z","level"`) {
		t.Errorf("time is not UTC: %s", stderr.String())
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	var stderr syncBuffer
	l := mustNew(t, Options{Dir: logDir(t), Stderr: &stderr})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	l.Slog().Info("after close")
	if !strings.Contains(stderr.String(), "after close") {
		t.Error("records after Close do not reach stderr")
	}
	if _, err := l.file.Write([]byte("x")); !errors.Is(err, errClosed) {
		t.Errorf("Write after Close = %v", err)
	}
	if _, err := l.Sweep(); !errors.Is(err, errClosed) {
		t.Errorf("Sweep after Close = %v", err)
	}
}

func TestNewFailsOnUnusableDir(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Dir: file}); err == nil {
		t.Error("New accepted a regular file as its directory")
	}
}

func TestParseFileName(t *testing.T) {
	t.Parallel()
	if d, ok := parseFileName("quire-2026-03-01.log"); !ok || !d.Equal(date("2026-03-01T00:00:00Z")) {
		t.Errorf("parseFileName = %v, %v", d, ok)
	}
	for _, bad := range []string{"quire-2026-3-1.log", "quire-2026-03-01.log.1", "x-2026-03-01.log", "quire-2026-02-30.log", "quire-.log"} {
		if _, ok := parseFileName(bad); ok {
			t.Errorf("parseFileName(%q) accepted", bad)
		}
	}
	if got := fileName(date("2026-12-31T00:00:00Z")); got != "quire-2026-12-31.log" {
		t.Errorf("fileName = %q", got)
	}
}
