package logs

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// DefaultRetention is how long diagnostic log files are kept when
// Options.Retention is zero (claim AI-5).
const DefaultRetention = 7 * 24 * time.Hour

// Options configure New.
type Options struct {
	// Dir holds the daily files quire-YYYY-MM-DD.log. It is created 0700.
	// Empty means no files: records go to Stderr only.
	Dir string
	// Retention is how long a file is kept: a file is deleted once the
	// start of its day is older than Retention, so no record outlives it.
	// Zero means DefaultRetention.
	Retention time.Duration
	// Level is the minimum level written.
	Level slog.Level
	// Stderr, when not nil, receives every record as well.
	Stderr io.Writer
	// Now returns the current time; tests replace it. Default time.Now.
	Now func() time.Time
}

// Logger is the process's diagnostic logger: a masking JSON slog.Logger
// writing to stderr and to the daily files.
type Logger struct {
	slog *slog.Logger
	file *dailyFile // nil without Options.Dir

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// New returns a Logger that writes masked JSON records to opts.Stderr and to
// one file per UTC day in opts.Dir (mode 0600), and deletes files older than
// opts.Retention at start, when the day changes, and at least hourly, so
// that retention holds even when nothing is logged. Close stops it.
func New(opts Options) (*Logger, error) {
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	l := &Logger{}
	w := teeWriter{stderr: opts.Stderr}
	if opts.Dir != "" {
		f, err := openDaily(opts.Dir, opts.Retention, opts.Now, opts.Stderr)
		if err != nil {
			return nil, err
		}
		if _, err := f.Sweep(); err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("logs: retention sweep: %w", err)
		}
		l.file, w.file = f, f
	}
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: opts.Level, ReplaceAttr: utcTime})
	l.slog = slog.New(NewMaskingHandler(h))
	if l.file != nil {
		l.stop, l.done = make(chan struct{}), make(chan struct{})
		go l.sweepLoop(opts.Now)
	}
	return l, nil
}

// Slog returns the logger to log with.
func (l *Logger) Slog() *slog.Logger { return l.slog }

// Sweep deletes the log files older than the retention period now, and
// returns how many it deleted. Only files named quire-YYYY-MM-DD.log are
// ever deleted.
func (l *Logger) Sweep() (removed int, err error) {
	if l.file == nil {
		return 0, nil
	}
	return l.file.Sweep()
}

// Close stops the sweeper and flushes and closes the current file. Records
// logged after Close go to Stderr only.
func (l *Logger) Close() error {
	l.closeOnce.Do(func() {
		if l.file == nil {
			return
		}
		close(l.stop)
		<-l.done
		l.closeErr = l.file.Close()
	})
	return l.closeErr
}

// sweepLoop rotates and sweeps at each UTC midnight, and at least hourly in
// case the clock jumps or the machine sleeps.
func (l *Logger) sweepLoop(now func() time.Time) {
	defer close(l.done)
	for {
		t := now()
		wait := min(nextDay(t).Sub(t), time.Hour)
		timer := time.NewTimer(max(wait, time.Second))
		select {
		case <-l.stop:
			timer.Stop()
			return
		case <-timer.C:
			l.file.tick()
		}
	}
}

// teeWriter writes each record to the file and, best effort, to stderr: a
// closed terminal must not stop the file log, and a full disk must not stop
// stderr.
type teeWriter struct {
	file   io.Writer
	stderr io.Writer
}

func (t teeWriter) Write(p []byte) (int, error) {
	if t.stderr != nil {
		_, _ = t.stderr.Write(p)
	}
	if t.file != nil {
		return t.file.Write(p)
	}
	return len(p), nil
}

// utcTime writes record times in UTC, the zone the files are named in.
func utcTime(groups []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey && len(groups) == 0 && a.Value.Kind() == slog.KindTime {
		a.Value = slog.TimeValue(a.Value.Time().UTC())
	}
	return a
}
