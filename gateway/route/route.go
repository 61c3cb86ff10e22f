package route

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/quirehq/quire/gateway"
)

// Entry is one configured provider and what the operator attests about it.
type Entry struct {
	// Provider may also implement gateway.ChatProvider, Embedder,
	// Transcriber, Reranker and ModelLister; what it implements is what
	// it is used for.
	Provider gateway.Provider
	// ZDR is the operator's attestation that the provider keeps no data
	// (a zero-data-retention agreement). Without it the provider is used
	// only for workspaces that opted out (Policy.AllowNonZDR), and never
	// in strict mode.
	ZDR bool
	// TrainsOnData marks a provider that may train on customer data: it
	// is never used, whatever the policy (claim AI-3). It may still be
	// configured, so that the trust page can show it.
	TrainsOnData bool
	// Models lists the models this provider serves, as configured. A
	// request for one of them, or for an alias naming it, can go here.
	Models []string
	// Timeout bounds one attempt: a whole non-streamed call, or a
	// stream's wait for its first event (0: no bound beyond the
	// provider's own).
	Timeout time.Duration
	// MaxConcurrent bounds this provider's calls in flight, streams
	// included until they end (0: DefaultMaxConcurrent).
	MaxConcurrent int
}

// Target is one place an alias sends a request: a provider, by name, and
// the model to ask it for.
type Target struct {
	Provider string
	Model    string
}

// RetryPolicy says how often and how patiently one target is retried.
type RetryPolicy struct {
	// Attempts is the number of tries per target, the first included
	// (0: 2). Only retryable failures are tried again.
	Attempts int
	// Base and Max bound the exponential backoff: the n-th retry waits a
	// random time in [0, min(Max, Base·2ⁿ⁻¹)) ("full jitter").
	// Defaults 200ms and 5s.
	Base, Max time.Duration
	// MaxRetryAfter is the longest Retry-After the router waits for; a
	// provider that asks for longer is left for the next target at once
	// (default 20s).
	MaxRetryAfter time.Duration
}

// BreakerPolicy configures each provider's circuit breaker.
type BreakerPolicy struct {
	// Failures is the number of consecutive retryable failures that open
	// the breaker (default 5).
	Failures int
	// Cooldown is how long an open breaker refuses calls before it lets
	// one probe through (default 30s).
	Cooldown time.Duration
}

// Defaults for the zero values of Config.
const (
	DefaultAttempts      = 2
	DefaultBackoffBase   = 200 * time.Millisecond
	DefaultBackoffMax    = 5 * time.Second
	DefaultMaxRetryAfter = 20 * time.Second
	DefaultFailures      = 5
	DefaultCooldown      = 30 * time.Second
	DefaultQueueTimeout  = 10 * time.Second
	DefaultMaxConcurrent = 64
)

// Config configures a Router.
type Config struct {
	// Providers in order of preference: a model that several providers
	// serve is asked of them in this order.
	Providers []Entry
	// Aliases maps a name clients use to the targets it stands for, in
	// order of preference. An alias may have the name of a provider
	// model only to reorder or restrict that same model's providers:
	// all its targets must then be that model.
	Aliases map[string][]Target
	// Strict forbids every workspace to opt out of zero data retention:
	// Policy.AllowNonZDR is ignored.
	Strict bool
	// Retry says how each target is retried.
	Retry RetryPolicy
	// Breaker configures the per-provider circuit breakers.
	Breaker BreakerPolicy
	// QueueTimeout is how long a call waits for a free slot when every
	// target is at its concurrency limit (default 10s).
	QueueTimeout time.Duration
	// Observer is told about every attempt; nil means nobody is.
	Observer Observer
	// Now, Sleep and Rand replace the clock, the backoff wait and the
	// jitter source, for tests. Sleep must return early, with an error,
	// when ctx is done.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	Rand  func() float64
}

// Policy is what a workspace allows for its own requests.
type Policy struct {
	// AllowNonZDR is the workspace's explicit opt-out of zero data
	// retention: providers without a ZDR attestation may then be used.
	// It is ignored when the router is Strict. Providers that train on
	// data are never used.
	AllowNonZDR bool
}

// Op is an operation a provider may support.
type Op string

// Operations.
const (
	OpChat       Op = "chat"
	OpEmbed      Op = "embed"
	OpTranscribe Op = "transcribe"
	OpRerank     Op = "rerank"
)

// ops lists every Op, in the order ModelInfo and ProviderInfo list them.
var ops = [...]Op{OpChat, OpEmbed, OpTranscribe, OpRerank}

// Observer names for streamed chat attempts; other attempts use the Op.
const opChatStream = "chat_stream"

// Router picks providers for requests, enforces the data policy, and
// retries and falls back when a provider fails. It is safe for
// concurrent use.
type Router struct {
	entries []*entry
	byName  map[string]*entry
	routes  map[string]*route
	strict  bool
	retry   RetryPolicy
	queue   time.Duration
	obs     Observer
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
	rand    func() float64
}

// entry is a configured provider and its runtime state.
type entry struct {
	name, kind  string
	zdr, trains bool
	models      []string
	timeout     time.Duration
	chat        gateway.ChatProvider
	embed       gateway.Embedder
	transcribe  gateway.Transcriber
	rerank      gateway.Reranker
	sem         chan struct{}
	br          breaker
}

// supports reports whether e implements op.
func (e *entry) supports(op Op) bool {
	switch op {
	case OpChat:
		return e.chat != nil
	case OpEmbed:
		return e.embed != nil
	case OpTranscribe:
		return e.transcribe != nil
	case OpRerank:
		return e.rerank != nil
	}
	return false
}

// route is what a requested model name resolves to before filtering.
type route struct {
	name    string
	alias   bool
	targets []target
}

type target struct {
	e     *entry
	model string
}

// maxName bounds model, alias and provider names.
const maxName = 256

// New checks c and returns a Router. It fails, with a message saying what
// to fix, on duplicate or invalid provider names, providers without
// models, aliases that name an unknown provider or a model the provider
// does not list, duplicate targets, an alias that gives a provider
// model's name another meaning, and negative durations or limits.
func New(c Config) (*Router, error) {
	r := &Router{
		byName: make(map[string]*entry, len(c.Providers)),
		routes: make(map[string]*route),
		strict: c.Strict,
		obs:    c.Observer,
		now:    c.Now,
		sleep:  c.Sleep,
		rand:   c.Rand,
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.sleep == nil {
		r.sleep = sleep
	}
	if r.rand == nil {
		r.rand = rand.Float64
	}
	var err error
	if r.retry, err = c.Retry.withDefaults(); err != nil {
		return nil, err
	}
	bp, err := c.Breaker.withDefaults()
	if err != nil {
		return nil, err
	}
	if c.QueueTimeout < 0 {
		return nil, fmt.Errorf("route: queue_timeout must not be negative")
	}
	r.queue = orDuration(c.QueueTimeout, DefaultQueueTimeout)

	for i := range c.Providers {
		e, err := newEntry(&c.Providers[i], i, bp)
		if err != nil {
			return nil, err
		}
		if r.byName[e.name] != nil {
			return nil, fmt.Errorf("route: two providers are named %q: provider names must be unique", e.name)
		}
		r.byName[e.name] = e
		r.entries = append(r.entries, e)
		for _, m := range e.models {
			rt := r.routes[m]
			if rt == nil {
				rt = &route{name: m}
				r.routes[m] = rt
			}
			rt.targets = append(rt.targets, target{e: e, model: m})
		}
	}
	names := make([]string, 0, len(c.Aliases))
	for name := range c.Aliases {
		names = append(names, name)
	}
	slices.Sort(names) // deterministic error messages
	aliases := make(map[string]*route, len(names))
	for _, name := range names {
		rt, err := r.alias(name, c.Aliases[name])
		if err != nil {
			return nil, err
		}
		aliases[name] = rt
	}
	for name, rt := range aliases {
		r.routes[name] = rt
	}
	return r, nil
}

func newEntry(c *Entry, i int, bp BreakerPolicy) (*entry, error) {
	if c.Provider == nil {
		return nil, fmt.Errorf("route: provider %d has no implementation", i+1)
	}
	name := c.Provider.Name()
	if gateway.SafeToken(name, 64) == "" {
		return nil, fmt.Errorf("route: provider %d: name %q must be 1 to 64 letters, digits, '-', '_' or '.'", i+1, truncate(name))
	}
	if c.Timeout < 0 {
		return nil, fmt.Errorf("route: provider %s: timeout must not be negative", name)
	}
	if c.MaxConcurrent < 0 {
		return nil, fmt.Errorf("route: provider %s: max_concurrent must not be negative (0 means %d)", name, DefaultMaxConcurrent)
	}
	if len(c.Models) == 0 {
		return nil, fmt.Errorf("route: provider %s lists no models: list the models it serves under models", name)
	}
	e := &entry{
		name: name, kind: c.Provider.Kind(), zdr: c.ZDR, trains: c.TrainsOnData,
		models: slices.Clone(c.Models), timeout: c.Timeout,
		sem: make(chan struct{}, or(c.MaxConcurrent, DefaultMaxConcurrent)),
		br:  breaker{threshold: bp.Failures, cooldown: bp.Cooldown},
	}
	for j, m := range e.models {
		if err := checkName(m); err != nil {
			return nil, fmt.Errorf("route: provider %s: model %d %w", name, j+1, err)
		}
		if slices.Index(e.models, m) != j {
			return nil, fmt.Errorf("route: provider %s lists model %q twice", name, m)
		}
	}
	e.chat, _ = c.Provider.(gateway.ChatProvider)
	e.embed, _ = c.Provider.(gateway.Embedder)
	e.transcribe, _ = c.Provider.(gateway.Transcriber)
	e.rerank, _ = c.Provider.(gateway.Reranker)
	return e, nil
}

// alias builds and checks the route of alias name. It runs once every
// provider is known, before any alias is added to r.routes.
func (r *Router) alias(name string, targets []Target) (*route, error) {
	if err := checkName(name); err != nil {
		return nil, fmt.Errorf("route: alias %w", err)
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("route: alias %q has no targets", name)
	}
	rt := &route{name: name, alias: true}
	for _, t := range targets {
		e := r.byName[t.Provider]
		if e == nil {
			return nil, fmt.Errorf("route: alias %q names provider %q, which is not configured", name, truncate(t.Provider))
		}
		if !slices.Contains(e.models, t.Model) {
			return nil, fmt.Errorf("route: alias %q: provider %s does not list model %q under models", name, e.name, truncate(t.Model))
		}
		for _, u := range rt.targets {
			if u.e == e && u.model == t.Model {
				return nil, fmt.Errorf("route: alias %q names provider %s and model %q twice", name, e.name, t.Model)
			}
		}
		rt.targets = append(rt.targets, target{e: e, model: t.Model})
	}
	if m := r.routes[name]; m != nil {
		// The name is a provider model: clients asking for it must get
		// that model, so the alias may only choose among its providers.
		for _, t := range rt.targets {
			if t.model != name {
				return nil, fmt.Errorf("route: alias %q has the name of a model served by %s, so all its targets must be that model, not %q: give the alias another name",
					name, providerNames(m.targets), t.model)
			}
		}
	}
	return rt, nil
}

// checkName accepts a model or alias name: printable, at most maxName
// bytes.
func checkName(s string) error {
	if s == "" || len(s) > maxName {
		return fmt.Errorf("name must be 1 to %d bytes", maxName)
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f || c == '\uFFFD' {
			return fmt.Errorf("name %q has a control character", truncate(s))
		}
	}
	return nil
}

func (p RetryPolicy) withDefaults() (RetryPolicy, error) {
	if p.Attempts < 0 || p.Base < 0 || p.Max < 0 || p.MaxRetryAfter < 0 {
		return p, fmt.Errorf("route: retry attempts and durations must not be negative")
	}
	p.Attempts = or(p.Attempts, DefaultAttempts)
	p.Base = orDuration(p.Base, DefaultBackoffBase)
	p.Max = orDuration(p.Max, max(DefaultBackoffMax, p.Base))
	p.MaxRetryAfter = orDuration(p.MaxRetryAfter, DefaultMaxRetryAfter)
	if p.Base > p.Max {
		return p, fmt.Errorf("route: retry base (%s) must not exceed retry max (%s)", p.Base, p.Max)
	}
	return p, nil
}

func (p BreakerPolicy) withDefaults() (BreakerPolicy, error) {
	if p.Failures < 0 || p.Cooldown < 0 {
		return p, fmt.Errorf("route: breaker failures and cooldown must not be negative")
	}
	p.Failures = or(p.Failures, DefaultFailures)
	p.Cooldown = orDuration(p.Cooldown, DefaultCooldown)
	return p, nil
}

func or(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func orDuration(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// allowed reports whether policy p lets a request use e.
func (r *Router) allowed(e *entry, p Policy) bool {
	return !e.trains && (e.zdr || p.AllowNonZDR && !r.strict)
}

// usable reports whether t can serve op under p.
func (r *Router) usable(t *target, op Op, p Policy) bool {
	return t.e.supports(op) && r.allowed(t.e, p)
}

// lookup returns the route for model and checks that some target can
// serve op under p; otherwise it returns the *Error that says why not.
func (r *Router) lookup(model string, op Op, p Policy) (*route, error) {
	rt := r.routes[model]
	if rt == nil {
		return nil, &Error{Kind: ErrUnknownModel, Model: model, Op: op,
			Reason: fmt.Sprintf("unknown model %q: it is neither an alias nor a model that a configured provider serves", truncate(model))}
	}
	for i := range rt.targets {
		if r.usable(&rt.targets[i], op, p) {
			return rt, nil
		}
	}
	return nil, r.noRoute(rt, op, p)
}

// noRoute explains why no target of rt can serve op under p.
func (r *Router) noRoute(rt *route, op Op, p Policy) *Error {
	var capable, trains, noZDR []target
	for _, t := range rt.targets {
		if !t.e.supports(op) {
			continue
		}
		capable = append(capable, t)
		switch {
		case t.e.trains:
			trains = append(trains, t)
		case !t.e.zdr:
			noZDR = append(noZDR, t)
		}
	}
	name := truncate(rt.name)
	if len(capable) == 0 {
		return &Error{Kind: ErrUnsupportedOperation, Model: rt.name, Op: op,
			Reason: fmt.Sprintf("model %q cannot be used for %s: none of its providers (%s) supports that operation", name, op, providerNames(rt.targets))}
	}
	var b strings.Builder
	if len(noZDR) == 0 {
		fmt.Fprintf(&b, "every provider that serves model %q for %s is marked trains_on_data (%s), and providers that may train on customer data are never used", name, op, providerNames(trains))
	} else {
		fmt.Fprintf(&b, "no provider with a zero-data-retention agreement serves model %q for %s: %s %s not marked zdr in configuration", name, op, providerNames(noZDR), isAre(noZDR))
		switch {
		case r.strict:
			b.WriteString(", and strict mode does not let workspaces opt out of zero data retention")
		case !p.AllowNonZDR:
			b.WriteString(", and this workspace has not opted out of zero data retention")
		}
		if len(trains) > 0 {
			fmt.Fprintf(&b, "; %s %s marked trains_on_data and never used", providerNames(trains), isAre(trains))
		}
	}
	return &Error{Kind: ErrNoCompliantProvider, Model: rt.name, Op: op, Reason: b.String()}
}

// providerNames lists the distinct providers of ts: "a", "a and b",
// "a, b and c".
func providerNames(ts []target) string {
	names := distinct(ts)
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// isAre is the verb that agrees with providerNames(ts).
func isAre(ts []target) string {
	if len(distinct(ts)) == 1 {
		return "is"
	}
	return "are"
}

func distinct(ts []target) []string {
	var names []string
	for _, t := range ts {
		if !slices.Contains(names, t.e.name) {
			names = append(names, t.e.name)
		}
	}
	return names
}

// truncate bounds a client-supplied name in messages.
func truncate(s string) string {
	const n = 100
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// Resolve returns the targets a request for model and op would try under
// p, in order, before the circuit breakers and concurrency limits are
// consulted. Its errors are the *Error that a call would return.
func (r *Router) Resolve(model string, op Op, p Policy) ([]Target, error) {
	if !slices.Contains(ops[:], op) {
		return nil, fmt.Errorf("route: unknown operation %q", op)
	}
	rt, err := r.lookup(model, op, p)
	if err != nil {
		return nil, err
	}
	var ts []Target
	for i := range rt.targets {
		if t := &rt.targets[i]; r.usable(t, op, p) {
			ts = append(ts, Target{Provider: t.e.name, Model: t.model})
		}
	}
	return ts, nil
}

// ModelInfo describes a model name clients may ask for.
type ModelInfo struct {
	// ID is the alias or the provider model name.
	ID string
	// Alias tells an alias from a provider model.
	Alias bool
	// Ops lists the operations some usable provider offers for it.
	Ops []Op
	// Providers lists the usable providers, in the order they are tried.
	Providers []string
}

// Models lists, sorted by ID, the aliases and provider models that can
// serve at least one operation under p. It makes no network call.
func (r *Router) Models(p Policy) []ModelInfo {
	var out []ModelInfo
	for _, rt := range r.routes {
		mi := ModelInfo{ID: rt.name, Alias: rt.alias}
		for _, op := range ops {
			for i := range rt.targets {
				if r.usable(&rt.targets[i], op, p) {
					mi.Ops = append(mi.Ops, op)
					break
				}
			}
		}
		if len(mi.Ops) == 0 {
			continue
		}
		for _, t := range rt.targets {
			if r.allowed(t.e, p) && !slices.Contains(mi.Providers, t.e.name) {
				mi.Providers = append(mi.Providers, t.e.name)
			}
		}
		out = append(out, mi)
	}
	slices.SortFunc(out, func(a, b ModelInfo) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// ProviderInfo describes a configured provider, for the trust checks
// (claims AI-2, AI-3) and the operator.
type ProviderInfo struct {
	Name, Kind   string
	ZDR          bool
	TrainsOnData bool
	Models       []string
	// Ops lists the operations it implements.
	Ops []Op
	// Breaker is the state of its circuit breaker now.
	Breaker BreakerState
	// InFlight counts its calls in progress, out of MaxConcurrent.
	InFlight, MaxConcurrent int
}

// Providers lists every configured provider, in configuration order,
// including those that no policy lets the router use.
func (r *Router) Providers() []ProviderInfo {
	now := r.now()
	out := make([]ProviderInfo, 0, len(r.entries))
	for _, e := range r.entries {
		pi := ProviderInfo{
			Name: e.name, Kind: e.kind, ZDR: e.zdr, TrainsOnData: e.trains,
			Models: slices.Clone(e.models), Breaker: e.br.state(now),
			InFlight: len(e.sem), MaxConcurrent: cap(e.sem),
		}
		for _, op := range ops {
			if e.supports(op) {
				pi.Ops = append(pi.Ops, op)
			}
		}
		out = append(out, pi)
	}
	return out
}
