package shield

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	"github.com/corazawaf/coraza/v3/debuglog"
	"github.com/corazawaf/coraza/v3/types"
)

// Shield inspects requests with the OWASP Core Rule Set. It is safe for
// concurrent use: one Coraza WAF (rules compiled once) serves every
// request, each request gets its own transaction.
type Shield struct {
	cfg    Config
	waf    coraza.WAF
	pre    *prefilter
	box    Penalties
	clock  func() time.Time
	logger *slog.Logger
}

// Option configures New.
type Option func(*options)

type options struct {
	box       Penalties
	clock     func() time.Time
	logger    *slog.Logger
	prefilter bool
}

// WithPenalties replaces the in-process penalty box (for a shared one).
func WithPenalties(p Penalties) Option { return func(o *options) { o.box = p } }

// WithClock sets the clock of the in-process penalty box (tests).
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// WithLogger sets where the shield reports its own failures. It never
// logs request content; the default discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithPrefilter turns the pre-filter on (the default) or off. Off, every
// request runs through the rules; it exists to measure and prove the
// pre-filter.
func WithPrefilter(on bool) Option { return func(o *options) { o.prefilter = on } }

// New compiles the rules for cfg (about a second) and returns the shield.
// A disabled shield (enabled: false) compiles nothing and passes every
// request.
func New(cfg Config, opts ...Option) (*Shield, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	o := options{clock: time.Now, prefilter: true}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	s := &Shield{cfg: cfg, clock: o.clock, logger: o.logger}
	if !cfg.On() {
		return s, nil
	}
	waf, err := newWAF(cfg)
	if err != nil {
		return nil, err
	}
	s.waf = waf
	if o.prefilter {
		if s.pre, err = newPrefilter(cfg); err != nil {
			return nil, err
		}
	}
	s.box = o.box
	if s.box == nil {
		s.box = NewMemoryPenalties(cfg.Penalty, o.clock)
	}
	return s, nil
}

// newWAF compiles the directives for cfg. Coraza's own outputs are
// silenced: its debug log is a no-op, no error callback is set and the
// audit log is off, since each would print matched request content.
func newWAF(cfg Config) (coraza.WAF, error) {
	d, err := Directives(cfg)
	if err != nil {
		return nil, err
	}
	waf, err := compileWAF(d)
	if err != nil {
		return nil, fmt.Errorf("shield: compiling the rules: %w", err)
	}
	return waf, nil
}

// compileWAF compiles directives over the embedded CRS, with Coraza's debug
// log silenced.
func compileWAF(directives string) (coraza.WAF, error) {
	return coraza.NewWAF(coraza.NewWAFConfig().
		WithRootFS(coreruleset.FS).
		WithDebugLogger(debuglog.Noop()).
		WithDirectives(directives))
}

// Config returns the effective configuration (defaults filled in).
func (s *Shield) Config() Config { return s.cfg }

// Inspect decides on r. client is the key the penalty box counts under
// (the server's grouped client address); "" keeps the request out of the
// box. r.Body stays readable by the handler whatever was inspected.
func (s *Shield) Inspect(r *http.Request, client string) Verdict {
	if s == nil || s.waf == nil {
		return Verdict{}
	}
	if s.cfg.Mode == ModeDryRun {
		if s.bypassed(r) {
			return Verdict{DryRun: true, Bypassed: true}
		}
		v := s.evaluate(r)
		v.DryRun, v.WouldBlock, v.Blocked, v.Status = true, v.Blocked || blocking(v.RuleIDs), false, 0
		return v
	}
	ctx := r.Context()
	if client != "" {
		if blocked, until := s.box.Blocked(ctx, client); blocked {
			return Verdict{Blocked: true, Status: http.StatusForbidden, Penalised: true,
				RetryAfter: max(until.Sub(s.clock()), 0)}
		}
	}
	if s.bypassed(r) {
		return Verdict{Bypassed: true}
	}
	v := s.evaluate(r)
	if v.Blocked && client != "" {
		s.box.Tripped(ctx, client)
	}
	return v
}

// evaluate runs the pre-filter, then if needed the rules.
func (s *Shield) evaluate(r *http.Request) Verdict {
	if s.pre != nil && s.pre.clean(r) {
		return Verdict{Prefiltered: true}
	}
	tx := s.waf.NewTransaction()
	defer func() {
		if err := tx.Close(); err != nil {
			s.logger.LogAttrs(context.Background(), slog.LevelWarn, "shield: closing a transaction failed")
		}
	}()
	var v Verdict
	it := s.process(tx, r, &v)
	s.verdictOf(tx, it, &v)
	return v
}

// blocking reports whether ids hold a rule that refuses the request: the
// CRS anomaly verdicts and Coraza's body checks (in dry-run mode they match
// without interrupting).
func blocking(ids []int) bool {
	for _, id := range ids {
		switch id {
		case 949110, 949111, 200002, 200003:
			return true
		}
	}
	return false
}

// verdictOf fills v from the transaction's outcome.
func (s *Shield) verdictOf(tx types.Transaction, it *types.Interruption, v *Verdict) {
	v.RuleIDs = matchedIDs(tx)
	for _, c := range categoriesOf(v.RuleIDs) {
		if !slices.Contains(v.Categories, c) {
			v.Categories = append(v.Categories, c)
		}
	}
	slices.Sort(v.Categories)
	v.AnomalyScore = anomalyScore(tx)
	if it != nil {
		v.Blocked, v.Status = true, it.Status
		if v.Status < 400 || v.Status > 599 {
			v.Status = http.StatusForbidden
		}
	}
}
