// Package meter counts what the AI gateway's calls use and enforces
// per-account token budgets before a call (issue: usage metering).
//
// The router reports every attempt (route.Observer) with its provider,
// model, outcome, latency and token usage: metadata only, never a prompt
// or an answer. The meter adds the tokens to the account's counters, which
// Admit compares with the budgets before the next call, and hands a
// Record of the attempt to a Sink (the store, which encrypts it at rest
// like every other value) on a bounded queue, so that a slow store never
// slows a call; records that do not fit are counted as dropped.
//
// Budgets are a daily cap (per UTC day) and a per-minute rate, both in
// input plus output tokens. Admit refuses a call whose estimate would pass
// either; calls admitted together can overshoot by what they use, since
// usage is known only when they end.
package meter

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quirehq/quire/gateway/endpoint"
	"github.com/quirehq/quire/gateway/route"
)

// Budgets caps each account's token use; zero is no cap.
type Budgets struct {
	TokensPerDay    int
	TokensPerMinute int
}

// Record is one metered attempt.
type Record struct {
	Account   string
	Workspace string
	At        time.Time
	Op        string
	Provider  string
	Kind      string
	Model     string
	Alias     string
	Status    int
	// Class is "" for a success, else the error class.
	Class        string
	Latency      time.Duration
	FirstEvent   time.Duration
	InputTokens  int
	OutputTokens int
	CachedTokens int
	// Reported says whether the provider reported usage at all.
	Reported bool
	// CostMicroUSD is the estimated cost in millionths of a US dollar, or
	// -1 when the model's price is unknown.
	CostMicroUSD int64
}

// Sink stores records.
type Sink interface {
	RecordUsage(ctx context.Context, recs []Record) error
}

// Options configure a Meter.
type Options struct {
	Budgets Budgets
	// Sink receives records in batches; nil keeps none.
	Sink Sink
	// Prices overrides or extends the built-in price list.
	Prices map[string]Price
	// QueueSize bounds the records waiting for the sink (default 4096).
	QueueSize int
	// FlushInterval is the longest a record waits for others to share its
	// store transaction (default 1s); Close flushes at once.
	FlushInterval time.Duration
	// Now is the clock (tests).
	Now func() time.Time
	// OnSinkError is told of a failed batch (count only).
	OnSinkError func(err error, n int)
	// Load, when set, returns the tokens an account used since a time, as
	// stored: the first call of an account after a start counts what it
	// used earlier that day. After a failure the call is admitted on the
	// in-memory count, and the next call tries again.
	Load func(ctx context.Context, account string, since time.Time) (int, error)
}

// Meter implements endpoint.Meter and route.Observer.
type Meter struct {
	opts    Options
	prices  map[string]Price
	mu      sync.Mutex
	byAcct  map[string]*counter
	queue   chan Record
	done    chan struct{}
	wg      sync.WaitGroup
	dropped atomic.Int64
	closed  atomic.Bool
}

// counter is one account's recent use.
type counter struct {
	day       int64 // days since the epoch (UTC) of dayTokens
	dayTokens int
	minute    int64 // minutes since the epoch of minTokens
	minTokens int
	prevMin   int  // tokens of the minute before, for the sliding estimate
	loaded    bool // dayTokens includes what the store held at the first call
}

// New returns a meter; Close stops its sink writer.
func New(o Options) *Meter {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 4096
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = time.Second
	}
	m := &Meter{opts: o, prices: mergePrices(o.Prices), byAcct: map[string]*counter{},
		queue: make(chan Record, o.QueueSize), done: make(chan struct{})}
	if o.Sink != nil {
		m.wg.Add(1)
		go m.write()
	}
	return m
}

// Admit implements endpoint.Meter.
func (m *Meter) Admit(ctx context.Context, c *endpoint.Caller, estimate int) error {
	b := m.opts.Budgets
	if b.TokensPerDay <= 0 && b.TokensPerMinute <= 0 {
		return nil
	}
	now := m.opts.Now().UTC()
	m.load(ctx, c.Account, now)
	m.mu.Lock()
	defer m.mu.Unlock()
	ct := m.counterLocked(c.Account, now)
	// A call bigger than a budget can never fit it: it is judged as if it
	// took the whole budget, so that it goes through once nothing else
	// has been used, rather than being told to retry forever.
	if b.TokensPerDay > 0 && ct.dayTokens+min(estimate, b.TokensPerDay) > b.TokensPerDay {
		midnight := now.Truncate(24 * time.Hour).Add(24 * time.Hour)
		return &endpoint.BudgetError{Daily: true, RetryAfter: midnight.Sub(now)}
	}
	if b.TokensPerMinute > 0 && ct.rate(now)+min(estimate, b.TokensPerMinute) > b.TokensPerMinute {
		next := now.Truncate(time.Minute).Add(time.Minute)
		return &endpoint.BudgetError{RetryAfter: next.Sub(now)}
	}
	return nil
}

// loadTimeout bounds the store read that seeds an account's day.
const loadTimeout = 5 * time.Second

// load seeds a new account's day counter from the store, outside the
// lock; a counter another call created meanwhile wins.
func (m *Meter) load(ctx context.Context, account string, now time.Time) {
	if m.opts.Load == nil {
		return
	}
	m.mu.Lock()
	ct, known := m.byAcct[account]
	loaded := known && ct.loaded
	m.mu.Unlock()
	if loaded {
		return
	}
	midnight := now.Truncate(24 * time.Hour)
	// Not the request's own context: a client that cancels its first
	// request must not make the meter forget what it used before.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
	defer cancel()
	used, err := m.opts.Load(lctx, account, midnight)
	if err != nil {
		return // counted from memory for this call; loaded again on the next
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ct = m.counterLocked(account, now)
	if !ct.loaded {
		// The store may already hold records this process counted (they
		// are flushed within a second): the larger count, not the sum.
		ct.dayTokens, ct.loaded = max(ct.dayTokens, used), true
	}
}

// rate is a sliding-window estimate of the tokens used in the last
// minute: this minute's count plus the previous minute's, weighted by how
// much of it the window still covers.
func (ct *counter) rate(now time.Time) int {
	frac := float64(now.Sub(now.Truncate(time.Minute))) / float64(time.Minute)
	return ct.minTokens + int(float64(ct.prevMin)*(1-frac))
}

// counterLocked returns the account's counter, rolled forward to now.
func (m *Meter) counterLocked(account string, now time.Time) *counter {
	ct := m.byAcct[account]
	if ct == nil {
		if len(m.byAcct) >= 1<<16 {
			m.sweepLocked(now) // before the new counter, which it would take for stale
		}
		ct = &counter{}
		m.byAcct[account] = ct
	}
	day, minute := now.Unix()/86400, now.Unix()/60
	if ct.day != day {
		ct.day, ct.dayTokens = day, 0
	}
	switch {
	case ct.minute == minute:
	case ct.minute == minute-1:
		ct.prevMin, ct.minute, ct.minTokens = ct.minTokens, minute, 0
	default:
		ct.prevMin, ct.minute, ct.minTokens = 0, minute, 0
	}
	return ct
}

// sweepLocked forgets accounts idle since yesterday, which hold nothing
// a budget still needs.
func (m *Meter) sweepLocked(now time.Time) {
	day := now.Unix() / 86400
	for k, ct := range m.byAcct {
		if ct.day < day {
			delete(m.byAcct, k)
		}
	}
}

// Attempt implements route.Observer: it counts the tokens against the
// caller's budgets and queues a record.
func (m *Meter) Attempt(ctx context.Context, a route.Attempt) {
	c := endpoint.CallerFrom(ctx)
	now := m.opts.Now().UTC()
	rec := Record{At: now, Op: string(a.Op), Provider: a.Provider, Kind: a.Kind, Model: a.Model, Alias: a.Alias,
		Status: a.Status, Latency: a.Latency, FirstEvent: a.FirstEvent, CostMicroUSD: -1}
	if a.Err != nil {
		rec.Class = a.Class.String()
	}
	if c != nil {
		rec.Account, rec.Workspace = c.Account, c.Workspace
	}
	if a.Usage != nil {
		u := *a.Usage
		rec.Reported = true
		rec.InputTokens, rec.OutputTokens, rec.CachedTokens = u.InputTokens, u.OutputTokens, u.CachedInputTokens
		rec.CostMicroUSD = m.cost(a.Model, u)
		if c != nil && u.Total() > 0 {
			m.mu.Lock()
			ct := m.counterLocked(c.Account, now)
			ct.dayTokens += u.Total()
			ct.minTokens += u.Total()
			m.mu.Unlock()
		}
	}
	if m.opts.Sink == nil || m.closed.Load() {
		return
	}
	select {
	case m.queue <- rec:
	default:
		m.dropped.Add(1)
	}
}

// Used returns an account's tokens today and in the last minute.
func (m *Meter) Used(account string) (day, minute int) {
	now := m.opts.Now().UTC()
	m.mu.Lock()
	defer m.mu.Unlock()
	ct := m.counterLocked(account, now)
	return ct.dayTokens, ct.rate(now)
}

// Dropped returns how many records did not fit in the queue.
func (m *Meter) Dropped() int64 { return m.dropped.Load() }

// write hands queued records to the sink in batches: from the first
// record of a batch, it collects for FlushInterval or until the batch is
// full, so that a steady trickle of calls costs one store transaction a
// second rather than one a call.
func (m *Meter) write() {
	defer m.wg.Done()
	batch := make([]Record, 0, 256)
	for {
		select {
		case r := <-m.queue:
			batch = append(batch, r)
			timer := time.NewTimer(m.opts.FlushInterval)
		collect:
			for len(batch) < cap(batch) {
				select {
				case r := <-m.queue:
					batch = append(batch, r)
				case <-timer.C:
					break collect
				case <-m.done:
					break collect
				}
			}
			timer.Stop()
			m.flush(batch)
			batch = batch[:0]
		case <-m.done:
			for {
				batch = m.fill(batch[:0])
				if len(batch) == 0 {
					return
				}
				m.flush(batch)
			}
		}
	}
}

// fill appends the records already queued to batch, up to its capacity.
func (m *Meter) fill(batch []Record) []Record {
	for len(batch) < cap(batch) {
		select {
		case r := <-m.queue:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// flush gives batch to the sink.
func (m *Meter) flush(batch []Record) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.opts.Sink.RecordUsage(ctx, batch); err != nil && m.opts.OnSinkError != nil {
		m.opts.OnSinkError(err, len(batch))
	}
}

// Close writes the queued records and stops the writer.
func (m *Meter) Close() {
	if m.closed.Swap(true) {
		return
	}
	close(m.done)
	m.wg.Wait()
}

var _ route.Observer = (*Meter)(nil)
var _ endpoint.Meter = (*Meter)(nil)
