// Package retention enforces how long Quire keeps what it stores: a
// Janitor runs every retention Rule on a schedule, in bounded batches,
// and records per rule when it last ran, how much it removed and whether
// it failed. The rules are listed in the trust report (claims AI-5 and
// GDPR-3), so that what is deleted, and after how long, is public.
//
// A component that keeps something for a limited time (diagnostic logs,
// sessions, data export archives) registers a Rule: a name, a description
// in plain words (what is deleted, after how long; never user content),
// the period, and Run, which deletes what is past it and reports how many
// items it deleted.
package retention

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/quirehq/quire"
)

// Rule is one retention rule.
type Rule struct {
	// Name identifies the rule, such as "diagnostic logs"; unique.
	Name string
	// Description says in plain words what is deleted and after how long.
	// It is public (the trust page) and holds no user content.
	Description string
	// Keep is the retention period; zero for rules whose period is not a
	// duration (a count of versions, an expiry set per item).
	Keep time.Duration
	// Run deletes what is past the period at now and returns how many
	// items it deleted. It must do bounded work (see Batched) and stop
	// with ctx. Nil lists a rule that is enforced elsewhere, or under
	// which nothing is deleted (Description says which).
	Run func(ctx context.Context, now time.Time) (removed int, err error)
}

// Status is a rule as listed, with the outcome of its last run.
type Status struct {
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Keep        time.Duration `json:"keepNs"`
	// Swept is false for a rule without Run: the janitor never runs it.
	Swept bool `json:"swept"`
	// LastRun is when the rule last ran (zero: not yet); Removed is how
	// many items that run deleted, and Total how many all runs since
	// start did. Public clears the counts.
	LastRun time.Time `json:"lastRun,omitzero"`
	Removed int       `json:"removed,omitempty"`
	Total   int64     `json:"total,omitempty"`
	// Error is the error code of the last run's failure ("" if it
	// succeeded): a code, never a message, so it holds no content.
	Error string `json:"error,omitempty"`
}

// Public returns s without its counts, for a public page: how much a rule
// deleted tells of the deployment's activity (sign-ins, invitations,
// saves). When it last ran and whether it failed stay.
func (s Status) Public() Status {
	s.Removed, s.Total = 0, 0
	return s
}

// Defaults of Config.
const (
	DefaultEvery      = time.Hour
	DefaultFirstDelay = time.Minute
)

// Config configures a Janitor.
type Config struct {
	// Rules are the rules, run in this order.
	Rules []Rule
	// Every is how often every rule runs; zero means DefaultEvery.
	Every time.Duration
	// FirstDelay is how long after Start the first run begins, so that
	// it does not compete with start-up; zero means DefaultFirstDelay.
	FirstDelay time.Duration
	// Logger records each run's outcome: counts, and for a failure its
	// error code and, for a store's error, its cause (an operation and
	// the database's error, no content); nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Janitor runs the retention rules. Its methods are safe for concurrent
// use; runs never overlap.
type Janitor struct {
	cfg   Config
	run   sync.Mutex // held for a whole run of the rules
	mu    sync.Mutex // guards rules and status
	rules []Rule
	state map[string]*Status
}

// New checks cfg's rules and returns a janitor for them.
func New(cfg Config) (*Janitor, error) {
	if cfg.Every < 0 || cfg.FirstDelay < 0 {
		return nil, errors.New("retention: the interval and first delay must not be negative")
	}
	if cfg.Every == 0 {
		cfg.Every = DefaultEvery
	}
	if cfg.FirstDelay == 0 {
		cfg.FirstDelay = DefaultFirstDelay
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	j := &Janitor{cfg: cfg, state: map[string]*Status{}}
	for _, r := range cfg.Rules {
		if err := j.Add(r); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// Add registers one more rule, run after those already registered.
func (j *Janitor) Add(r Rule) error {
	if r.Name == "" || r.Description == "" {
		return errors.New("retention: a rule needs a name and a description")
	}
	if r.Keep < 0 {
		return fmt.Errorf("retention: rule %q: the period must not be negative", r.Name)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, dup := j.state[r.Name]; dup {
		return fmt.Errorf("retention: two rules are named %q", r.Name)
	}
	j.rules = append(j.rules, r)
	j.state[r.Name] = &Status{Name: r.Name, Description: r.Description, Keep: r.Keep, Swept: r.Run != nil}
	return nil
}

// Rules lists every rule in order, with the outcome of its last run.
func (j *Janitor) Rules() []Status {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Status, 0, len(j.rules))
	for _, r := range j.rules {
		out = append(out, *j.state[r.Name])
	}
	return out
}

// RunOnce runs every rule now, one after another, and returns the rules
// with this run's outcomes. A rule that fails does not stop the others.
// It waits for a run already under way to end first.
func (j *Janitor) RunOnce(ctx context.Context) []Status {
	j.run.Lock()
	defer j.run.Unlock()
	j.mu.Lock()
	rules := slices.Clone(j.rules)
	j.mu.Unlock()
	for _, r := range rules {
		if r.Run == nil || ctx.Err() != nil {
			continue
		}
		j.runRule(ctx, r)
	}
	return j.Rules()
}

// runRule runs r once and records the outcome; a panic in r counts as
// its failure. A run cut short because ctx ended (the janitor stopping)
// is not finished, not failed: its removals count, but its outcome is
// not recorded.
func (j *Janitor) runRule(ctx context.Context, r Rule) {
	now := j.cfg.Now()
	n, err := func() (n int, err error) {
		defer func() {
			if v := recover(); v != nil {
				err = quire.Errorf(quire.EINTERNAL, "The retention rule panicked.")
			}
		}()
		return r.Run(ctx, now)
	}()
	stopped := err != nil && ctx.Err() != nil
	j.mu.Lock()
	st := j.state[r.Name]
	st.Total += int64(n)
	if !stopped {
		st.LastRun, st.Removed, st.Error = now, n, ""
		if err != nil {
			st.Error = quire.ErrorCode(err)
		}
	}
	j.mu.Unlock()
	switch {
	case stopped:
		j.cfg.Logger.InfoContext(ctx, "retention rule stopped before it finished", "rule", r.Name, "removed", n)
	case err != nil:
		attrs := []any{"rule", r.Name, "removed", n, "code", quire.ErrorCode(err)}
		if cause := storeCause(err); cause != "" {
			attrs = append(attrs, "cause", cause)
		}
		j.cfg.Logger.WarnContext(ctx, "retention rule failed", attrs...)
	case n > 0:
		j.cfg.Logger.InfoContext(ctx, "retention rule removed expired items", "rule", r.Name, "removed", n)
	}
}

// storeCause returns the cause a store wrapped in its error (quire.WrapError),
// for the log: the operation and the database's error ("postgres: trim audit
// log: ... (SQLSTATE 22023)"), which hold no content, since the retention
// rules delete by time and id and read none. Any other error's text is not
// known to be free of content, and gives "".
func storeCause(err error) string {
	var qe *quire.Error
	if !errors.As(err, &qe) || qe.Err == nil {
		return ""
	}
	return qe.Err.Error()
}

// Run runs every rule FirstDelay after it is called, then every Every,
// until ctx ends.
func (j *Janitor) Run(ctx context.Context) {
	t := time.NewTimer(j.cfg.FirstDelay)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		j.RunOnce(ctx)
		t.Reset(j.cfg.Every)
	}
}

// Start runs j in the background (see Run) and returns a function that
// stops it and waits for a run under way to end.
func (j *Janitor) Start() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); j.Run(ctx) }()
	return func() { cancel(); <-done }
}
