package disclosure

import (
	"context"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/mail"
)

// RemindEvery is how often the operator is reminded again of a report that
// stays unacknowledged: the first reminder goes out RemindBefore its
// deadline, and another every 12 hours until it is acknowledged.
const RemindEvery = 12 * time.Hour

// Overdue returns the reports still new at or past their deadline, the
// longest overdue first, up to quire.MaxSecurityReportList, for the
// operator's listing.
func (s *Service) Overdue(ctx context.Context) ([]*quire.SecurityReport, error) {
	return s.cfg.Reports.FindSecurityReports(ctx, overdueFilter(s.cfg.Now()))
}

// CountOverdue returns how many reports are still new at or past their
// deadline, however many there are.
func (s *Service) CountOverdue(ctx context.Context) (int, error) {
	return s.cfg.Reports.CountSecurityReports(ctx, overdueFilter(s.cfg.Now()))
}

// overdueFilter selects the reports overdue at now, the longest overdue
// first.
func overdueFilter(now time.Time) quire.SecurityReportFilter {
	return quire.SecurityReportFilter{Status: quire.SecurityReportNew, DueBy: now, OldestDueFirst: true}
}

// ScanOverdue reminds the operator of every report still new within
// RemindBefore of its deadline (or past it) that the operator was not
// reminded of in the last RemindEvery, and returns how many reminders went
// out (emailed, or logged without an operator address). Each reminder is
// claimed in the store first, so that instances scanning at once send it
// once; a reminder that cannot be sent gives its claim back, so that the
// next scan tries again, and ends the scan with its error.
func (s *Service) ScanOverdue(ctx context.Context) (int, error) {
	now := s.cfg.Now().UTC().Truncate(time.Microsecond)
	lastBefore := now.Add(-RemindEvery)
	due, err := s.cfg.Reports.FindSecurityReports(ctx, quire.SecurityReportFilter{Status: quire.SecurityReportNew,
		DueBy: now.Add(s.cfg.RemindBefore), RemindedBefore: lastBefore, OldestDueFirst: true})
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, r := range due {
		claimed, err := s.cfg.Reports.MarkSecurityReportReminded(ctx, r.ID, now, lastBefore)
		if err != nil {
			return sent, err
		}
		if !claimed {
			continue // acknowledged meanwhile, or another instance reminded
		}
		if err := s.alert(ctx, mail.SecurityReportOverdue, "security report still unacknowledged", r); err != nil {
			if uerr := s.cfg.Reports.UnmarkSecurityReportReminded(context.WithoutCancel(ctx), r.ID, now, r.RemindedAt); uerr != nil {
				s.log.ErrorContext(ctx, "security report reminder lost: its claim could not be given back", "report_id", r.ID, "err", uerr)
			}
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// DefaultScanEvery is how often Run scans when given no interval.
const DefaultScanEvery = 10 * time.Minute

// Run scans for reports to remind of, and sends the digest of held alerts
// (SendDigest), at once and then every every (zero means
// DefaultScanEvery) until ctx ends. A failed scan is logged and tried
// again at the next tick.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = DefaultScanEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.ScanOverdue(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "security report scan failed", "err", err)
		}
		if _, err := s.SendDigest(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "security report digest failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
