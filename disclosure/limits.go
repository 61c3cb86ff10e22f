package disclosure

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/edge/ratelimit"
	"github.com/quirehq/quire/mail"
)

// Defaults of the intake's budgets, which bound what a flood of reports
// can cost: the store, the operator's inbox, and other people's inboxes.
const (
	DefaultReportsGlobalPerHour = 100
	DefaultAlertsPerHour        = 10
	DefaultReceiptsPerDomain    = 20
	DefaultReceiptsPerHour      = 50
)

// limiterCapacity bounds the keys the in-process limiter remembers when
// the Service is given none: past it, the least recently used are
// forgotten, never new ones refused.
const limiterCapacity = 100_000

// day is the period of the receipt budgets.
const day = 24 * time.Hour

// perPeriod is a budget of n per period, all of which may be spent at once.
func perPeriod(n int, period time.Duration) ratelimit.Limit {
	return ratelimit.Limit{Rate: n, Period: period, Burst: n}
}

// spend takes one from the budget l of the key made of what and parts. A
// limiter error (a shared store down) is logged; its decision holds.
func (s *Service) spend(ctx context.Context, l ratelimit.Limit, what string, parts ...string) ratelimit.Decision {
	d, err := s.lim.Allow(ctx, ratelimit.Key(append([]string{"disclosure", what}, parts...)...), l)
	if err != nil {
		s.log.WarnContext(ctx, "security report limiter", "budget", what, "err", err)
	}
	return d
}

// admit takes one report from the intake's hourly budget, shared by every
// client address (and every instance, with a shared limiter): ERATELIMITED
// with RetryAfter when it is spent.
func (s *Service) admit(ctx context.Context) error {
	d := s.spend(ctx, perPeriod(s.cfg.ReportsGlobalPerHour, time.Hour), "reports")
	if d.Allowed {
		return nil
	}
	s.log.WarnContext(ctx, "security report refused: the intake's hourly budget is spent", "retry_after", d.RetryAfter)
	e := quire.Errorf(quire.ERATELIMITED, "The report intake is busy. Wait a while and try again, or write to the contacts in /.well-known/security.txt.")
	e.RetryAfter = d.RetryAfter
	return e
}

// alertNew tells the operator of a new report, within AlertsPerHour
// alerts an hour; past that the report is counted for the hourly digest
// instead (SendDigest), so that a flood of reports is one email an hour.
func (s *Service) alertNew(ctx context.Context, r *quire.SecurityReport) {
	if s.cfg.OperatorEmail != "" && !s.spend(ctx, perPeriod(s.cfg.AlertsPerHour, time.Hour), "alerts").Allowed {
		s.mu.Lock()
		if s.held == 0 {
			s.heldSince = r.ReceivedAt
		}
		s.held++
		s.mu.Unlock()
		s.log.WarnContext(ctx, "security report alert held for the hourly digest: too many alerts this hour", "report_id", r.ID)
		return
	}
	_ = s.alert(ctx, mail.SecurityReportAlert, "security report received", r) // logged
}

// SendDigest sends the operator one email for the reports whose alerts
// were held back, if there are any and no digest went out in the last
// hour (from any instance sharing the limiter), and returns how many it
// counted. The count is this instance's: each instance sharing the
// budget reports its own, in turn.
func (s *Service) SendDigest(ctx context.Context) (int, error) {
	s.mu.Lock()
	n, since := s.held, s.heldSince
	s.mu.Unlock()
	if n == 0 || !s.spend(ctx, perPeriod(1, time.Hour), "digest").Allowed {
		return 0, nil
	}
	if err := s.send(ctx, mail.SecurityReportDigest(s.cfg.OperatorEmail, n, since), "security report digest", ""); err != nil {
		return 0, err
	}
	s.mu.Lock()
	if s.held -= n; s.held == 0 {
		s.heldSince = time.Time{}
	}
	s.mu.Unlock()
	return n, nil
}

// hashKey returns a limiter key part for s that does not hold s: the
// budgets of addresses and domains keep no address.
func hashKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}
