package erase

import (
	"context"
	"time"

	"github.com/quirehq/quire"
)

// Wake asks Run to purge now, without waiting for its next round.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default: // a purge is already asked for
	}
}

// Run purges in the background until ctx ends: every deletion the queue
// holds at start (so a purge a crash cut short finishes), each new one as
// soon as Wake is called, and every RetryEvery those that failed.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.RetryEvery)
	defer t.Stop()
	for {
		s.purgeLogged(ctx)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
	}
}

// purgeLogged runs PurgeAll and logs what failed (codes and identifiers
// only), and whether it is overdue.
func (s *Service) purgeLogged(ctx context.Context) {
	now := s.now()
	failed := 0
	_, err := s.PurgeAll(ctx, func(d *quire.AccountDeletion, err error) {
		if err != nil && ctx.Err() == nil {
			failed++
			s.log.ErrorContext(ctx, "account purge failed; retried later", "user", d.UserID, "code", quire.ErrorCode(err),
				"overdue", d.Overdue(now))
		}
	})
	if err != nil && failed == 0 && ctx.Err() == nil { // the queue itself could not be read
		s.log.ErrorContext(ctx, "account deletion queue not read; retried later", "code", quire.ErrorCode(err))
	}
}
