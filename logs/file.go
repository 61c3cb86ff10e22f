package logs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"
)

const (
	filePrefix = "quire-"
	fileSuffix = ".log"
	dayLayout  = "2006-01-02"
	day        = 24 * time.Hour
)

var errClosed = errors.New("logs: file closed")

// dailyFile is an io.Writer that appends to the file of the current UTC
// day. All file access goes through an os.Root, so a symlink planted in the
// directory cannot redirect writes or deletions outside it.
type dailyFile struct {
	mu        sync.Mutex
	root      *os.Root
	retention time.Duration
	now       func() time.Time
	warn      io.Writer // where sweep failures during rotation are reported

	f      *os.File
	day    time.Time // the UTC day of f
	closed bool
}

func openDaily(dir string, retention time.Duration, now func() time.Time, warn io.Writer) (*dailyFile, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("logs: create directory: %w", err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("logs: %w", err)
	}
	// A directory that already existed is not chmod-ed: it may be shared
	// (a misconfigured logs.dir of /var/log), and changing it would break
	// its other users. Refusing keeps the files private without that risk.
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("logs: directory %s is open to other users (mode %#o); run chmod 700 on it or choose a private directory", dir, perm)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("logs: open directory: %w", err)
	}
	return &dailyFile{root: root, retention: retention, now: now, warn: warn}, nil
}

// Write implements io.Writer; slog hands it one whole record per call.
func (d *dailyFile) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return 0, errClosed
	}
	if err := d.rotateLocked(); err != nil {
		return 0, err
	}
	return d.f.Write(p)
}

// rotateLocked makes f the file of the current UTC day, sweeping when the
// day has changed.
func (d *dailyFile) rotateLocked() error {
	today := utcDay(d.now())
	if d.f != nil && today.Equal(d.day) {
		return nil
	}
	rotated := d.f != nil || !d.day.IsZero()
	if d.f != nil {
		_ = d.f.Close() // every write is already in the kernel; nothing to lose
		d.f = nil
	}
	f, err := d.root.OpenFile(fileName(today), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("logs: open file: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return fmt.Errorf("logs: restrict file: %w", err)
	}
	d.f, d.day = f, today
	if rotated {
		d.sweepAndWarnLocked()
	}
	return nil
}

// tick closes the file when its day is over and sweeps.
func (d *dailyFile) tick() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	if d.f != nil && !utcDay(d.now()).Equal(d.day) {
		_ = d.f.Close()
		d.f = nil
	}
	d.sweepAndWarnLocked()
}

// sweepAndWarnLocked sweeps, reporting a failure to the warn writer: it
// cannot be logged through the logger that is in the middle of a write.
func (d *dailyFile) sweepAndWarnLocked() {
	if _, err := d.sweepLocked(); err != nil && d.warn != nil {
		fmt.Fprintf(d.warn, "{\"time\":%q,\"level\":\"ERROR\",\"msg\":\"log retention sweep failed\",\"error\":%q}\n",
			d.now().UTC().Format(time.RFC3339Nano), Mask(err.Error()))
	}
}

// Sweep deletes the expired log files.
func (d *dailyFile) Sweep() (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return 0, errClosed
	}
	return d.sweepLocked()
}

// sweepLocked deletes each regular file named quire-YYYY-MM-DD.log whose
// day began at least retention ago, except today's and the one being
// written, whatever the retention. Nothing else in the directory is touched.
func (d *dailyFile) sweepLocked() (int, error) {
	entries, err := fs.ReadDir(d.root.FS(), ".")
	if err != nil {
		return 0, fmt.Errorf("logs: read directory: %w", err)
	}
	now := d.now()
	cutoff, today := now.Add(-d.retention), utcDay(now)
	removed := 0
	var errs []error
	for _, e := range entries {
		start, ok := parseFileName(e.Name())
		if !ok || !e.Type().IsRegular() || start.After(cutoff) || start.Equal(today) || d.f != nil && start.Equal(d.day) {
			continue
		}
		if err := d.root.Remove(e.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("logs: delete expired file: %w", err))
			continue
		}
		removed++
	}
	return removed, errors.Join(errs...)
}

// Close flushes the current file to disk and closes it.
func (d *dailyFile) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	var errs []error
	if d.f != nil {
		if err := d.f.Sync(); err != nil {
			errs = append(errs, fmt.Errorf("logs: sync: %w", err))
		}
		if err := d.f.Close(); err != nil {
			errs = append(errs, fmt.Errorf("logs: close: %w", err))
		}
		d.f = nil
	}
	if err := d.root.Close(); err != nil {
		errs = append(errs, fmt.Errorf("logs: close directory: %w", err))
	}
	return errors.Join(errs...)
}

func utcDay(t time.Time) time.Time {
	y, m, dd := t.UTC().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

func nextDay(t time.Time) time.Time { return utcDay(t).Add(day) }

func fileName(day time.Time) string { return filePrefix + day.Format(dayLayout) + fileSuffix }

// parseFileName returns the day of a file named quire-YYYY-MM-DD.log.
func parseFileName(name string) (time.Time, bool) {
	s, ok := strings.CutPrefix(name, filePrefix)
	if !ok {
		return time.Time{}, false
	}
	s, ok = strings.CutSuffix(s, fileSuffix)
	if !ok || len(s) != len(dayLayout) {
		return time.Time{}, false
	}
	t, err := time.Parse(dayLayout, s)
	return t, err == nil
}
