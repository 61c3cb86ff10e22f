package breach

import "sync/atomic"

// counters are the Checker's running totals.
type counters struct {
	checks, offlineHits, rangeHits, rangeFailures atomic.Int64
}

// Stats are a Checker's running totals since New, for metrics.
type Stats struct {
	Checks, OfflineHits, RangeHits, RangeFailures int64
}

// Stats returns the running totals.
func (c *Checker) Stats() Stats {
	return Stats{
		Checks:        c.stats.checks.Load(),
		OfflineHits:   c.stats.offlineHits.Load(),
		RangeHits:     c.stats.rangeHits.Load(),
		RangeFailures: c.stats.rangeFailures.Load(),
	}
}
