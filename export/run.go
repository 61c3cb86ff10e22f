package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"time"

	"github.com/quirehq/quire"
)

// Wake asks Run to build the queued exports now.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default: // a round is already asked for
	}
}

// Run builds exports in the background until ctx ends: first every export
// queued when it starts, and every one running under a lease that ended
// (cut short by a stop or a crash, built again from the start), then each
// new one as soon as Wake is called; every SweepEvery it deletes the
// archives that expired and any left without a live export, and looks
// again for leases that ended.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.SweepEvery)
	defer t.Stop()
	s.sweepLogged(ctx)
	for {
		s.processLogged(ctx)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
			s.sweepLogged(ctx)
		}
	}
}

// processLogged runs Process and logs what failed (codes only).
func (s *Service) processLogged(ctx context.Context) {
	if _, err := s.Process(ctx); err != nil && ctx.Err() == nil {
		s.log.ErrorContext(ctx, "data exports not built; retried later", "code", quire.ErrorCode(err))
	}
}

// sweepLogged runs Sweep and logs what failed (codes only).
func (s *Service) sweepLogged(ctx context.Context) {
	if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
		s.log.ErrorContext(ctx, "expired data exports not deleted; retried later", "code", quire.ErrorCode(err))
	} else if n > 0 {
		s.log.InfoContext(ctx, "expired data exports deleted", "exports", n)
	}
}

// Process builds every queued export, oldest first, and every running
// one whose lease has ended (its instance stopped or died in the middle),
// and returns how many it finished (ready or failed). An export is built
// under this instance's lease, renewed while the build goes on, so that
// no other instance takes over an export still being built. An export
// whose build fails is marked failed; the error returned is the queue's
// own (it could not be read or written).
func (s *Service) Process(ctx context.Context) (int, error) {
	if s.cfg.Archives == nil {
		return 0, nil
	}
	list, err := s.cfg.Exports.FindExportsByState(ctx, quire.ExportQueued, quire.ExportRunning)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, e := range list {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		if e.State == quire.ExportRunning && s.now().Before(e.LeaseUntil) {
			continue // another instance is building it
		}
		built, err := s.build(ctx, e)
		if err != nil {
			if ctx.Err() != nil { // stopping: the export is taken up again at the next start
				return done, ctx.Err()
			}
			return done, err
		}
		if built {
			done++
		}
	}
	return done, nil
}

// errLeaseLost ends a build whose lease is gone: the export failed
// meanwhile (its account is being deleted) or another instance took it
// over.
var errLeaseLost = errors.New("export lease lost")

// build claims export e, builds it from the start, over any archive an
// earlier run left, and marks it ready, or failed with the error's code.
// It reports false, with no error, for an export it did not finish: one
// claimed by another instance, or one that left its lease meanwhile
// (whose archive it then removes at once).
func (s *Service) build(ctx context.Context, e *quire.Export) (bool, error) {
	at := s.now()
	if err := s.cfg.Exports.ClaimExport(ctx, e.ID, s.cfg.Worker, at, at.Add(s.cfg.Lease)); err != nil {
		if c := quire.ErrorCode(err); c == quire.ECONFLICT || c == quire.ENOTFOUND {
			return false, nil // another instance has it, or the user is gone
		}
		return false, err
	}
	e.State, e.ItemsDone, e.ItemsTotal, e.Worker = quire.ExportRunning, 0, 0, s.cfg.Worker
	bctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopBeat := s.heartbeat(bctx, e.ID, cancel)
	start := time.Now()
	err := s.cfg.Archives.remove(bctx, e.ID)
	var (
		size int64
		sum  string
	)
	if err == nil {
		size, sum, err = s.store(bctx, e)
	}
	stopBeat()
	if ctx.Err() != nil {
		s.release(ctx, e.ID) // the next start takes it up at once
		return false, ctx.Err()
	}
	if errors.Is(context.Cause(bctx), errLeaseLost) {
		s.abandon(ctx, e)
		return false, nil
	}
	e.FinishedAt = s.now()
	if err != nil {
		s.log.ErrorContext(ctx, "data export failed", "export", e.ID, "code", quire.ErrorCode(err))
		_ = s.cfg.Archives.remove(context.WithoutCancel(ctx), e.ID)
		e.State, e.FailCode = quire.ExportFailed, quire.ErrorCode(err)
	} else {
		e.State, e.Size, e.SHA256, e.ExpiresAt = quire.ExportReady, size, sum, e.FinishedAt.Add(s.cfg.TTL)
		e.ItemsDone = e.ItemsTotal
	}
	if err := s.cfg.Exports.UpdateExport(context.WithoutCancel(ctx), e, quire.ExportRunning); err != nil {
		if c := quire.ErrorCode(err); c == quire.ECONFLICT || c == quire.ENOTFOUND {
			s.abandon(ctx, e) // failed meanwhile, or taken over: the archive must not wait for the sweep
			return false, nil
		}
		return false, err
	}
	if e.State == quire.ExportReady {
		s.log.InfoContext(ctx, "data export ready", "export", e.ID, "items", e.ItemsTotal, "bytes", size,
			"ms", time.Since(start).Milliseconds())
	}
	return true, nil
}

// heartbeat renews the lease of this instance on export id every third
// of a lease until the returned stop is called, and cancels the build
// with errLeaseLost once the export is no longer running under it.
func (s *Service) heartbeat(ctx context.Context, id string, lost context.CancelCauseFunc) (stop func()) {
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(max(s.cfg.Lease/3, time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			err := s.cfg.Exports.RenewExportLease(ctx, id, s.cfg.Worker, s.now().Add(s.cfg.Lease))
			switch c := quire.ErrorCode(err); {
			case err == nil:
			case c == quire.ECONFLICT || c == quire.ENOTFOUND:
				lost(errLeaseLost)
				return
			case ctx.Err() == nil:
				s.log.WarnContext(ctx, "data export lease not renewed; retried", "export", id, "code", c)
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// release ends this instance's lease on export id, which a stop cut
// short, so that the next instance to start takes it up at once. A
// failure leaves the lease to end on its own.
func (s *Service) release(ctx context.Context, id string) {
	ctx = context.WithoutCancel(ctx)
	if err := s.cfg.Exports.RenewExportLease(ctx, id, s.cfg.Worker, s.now().Add(-time.Second)); err != nil &&
		quire.ErrorCode(err) != quire.ECONFLICT {
		s.log.WarnContext(ctx, "data export lease not released; it ends on its own", "export", id, "code", quire.ErrorCode(err))
	}
}

// abandon drops the archive of export e, which left this instance's lease
// while it was built. An export failed or gone meanwhile has its archive
// removed, key shredded, at once; one another instance took over (running
// or ready) keeps its key, which seals the archive the other built, and
// loses only the bytes this instance wrote.
func (s *Service) abandon(ctx context.Context, e *quire.Export) {
	ctx = context.WithoutCancel(ctx)
	cur, err := s.cfg.Exports.FindExport(ctx, e.UserID, e.ID)
	if quire.ErrorCode(err) == quire.ENOTFOUND || (err == nil && !cur.Active() && cur.State != quire.ExportReady) {
		err = s.cfg.Archives.remove(ctx, e.ID)
	} else {
		err = s.cfg.Archives.discard(ctx, e.ID)
	}
	if err != nil {
		s.log.WarnContext(ctx, "abandoned data export not deleted; the sweep retries", "export", e.ID, "code", quire.ErrorCode(err))
	}
}

// store writes the archive of e into the archive store as it is built,
// through a pipe, and returns its size and SHA-256.
func (s *Service) store(ctx context.Context, e *quire.Export) (int64, string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	sum := sha256.New()
	written := make(chan error, 1)
	go func() {
		err := s.WriteArchive(ctx, e.UserID, io.MultiWriter(pw, sum), func(done, total int) {
			e.ItemsDone, e.ItemsTotal = done, total
			if err := s.cfg.Exports.SetExportProgress(ctx, e.ID, done, total); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "data export progress not saved", "export", e.ID, "code", quire.ErrorCode(err))
			}
		})
		pw.CloseWithError(err) // nil: EOF, the archive is complete
		written <- err
	}()
	size, err := s.cfg.Archives.put(ctx, e.ID, pr)
	if err != nil {
		cancel()
		_ = pr.CloseWithError(err) // unblocks the writer
	}
	if werr := <-written; werr != nil && !errors.Is(werr, io.ErrClosedPipe) {
		err = werr // the archive's own failure explains best
	}
	if err != nil {
		return 0, "", err
	}
	return size, hexSum(sum), nil
}

// Rewrap re-encrypts the archive of every ready export under its scope's
// newest data key (`quire keys rewrap`), so that retiring the older
// versions leaves it readable. Archives of exports not ready (being built,
// or done with) are left to the build and the sweep; an export that left
// ready while its archive was rewritten has the new copy removed, so that
// a rewrap never brings a deleted archive back. progress, if not nil, is
// called after each archive.
func (s *Service) Rewrap(ctx context.Context, progress func(done, total int)) error {
	if s.cfg.Archives == nil {
		return nil
	}
	ids, err := s.cfg.Archives.ids(ctx)
	if err != nil {
		return err
	}
	ready, err := s.cfg.Exports.FindExportsByState(ctx, quire.ExportReady)
	if err != nil {
		return err
	}
	byID := make(map[string]*quire.Export, len(ready))
	for _, e := range ready {
		byID[e.ID] = e
	}
	var todo []*quire.Export
	for _, id := range ids {
		if e := byID[id]; e != nil {
			todo = append(todo, e)
		}
	}
	failed := 0
	for i, e := range todo {
		if err := s.rewrapOne(ctx, e); ctx.Err() != nil {
			return ctx.Err()
		} else if err != nil {
			failed++
			s.log.ErrorContext(ctx, "export archive could not be re-encrypted", "export", e.ID, "code", quire.ErrorCode(err))
		}
		if progress != nil {
			progress(i+1, len(todo))
		}
	}
	if failed > 0 {
		return quire.Errorf(quire.EINTERNAL, "%d stored exports could not be re-encrypted; the log names them.", failed)
	}
	return nil
}

// rewrapOne re-encrypts the archive of ready export e, then removes it if
// e is no longer ready (downloaded, expired or deleted meanwhile).
func (s *Service) rewrapOne(ctx context.Context, e *quire.Export) error {
	if err := s.cfg.Archives.rewrap(ctx, e.ID); err != nil {
		return err
	}
	cur, err := s.cfg.Exports.FindExport(ctx, e.UserID, e.ID)
	if quire.ErrorCode(err) == quire.ENOTFOUND || (err == nil && cur.State != quire.ExportReady) {
		return s.cfg.Archives.remove(ctx, e.ID)
	}
	return err
}

// hexSum is h's digest in hex.
func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

// Sweep deletes the archives of ready exports past their expiry (marking
// them expired) and every stored archive whose export is not ready or
// being built (downloaded, expired, failed, or gone with its user), and
// returns how many exports it expired.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	if s.cfg.Archives == nil {
		return 0, nil
	}
	// Archives first, rows second: an archive is stored after its row
	// turned running, so one being built is in the second read.
	ids, err := s.cfg.Archives.ids(ctx)
	if err != nil {
		return 0, err
	}
	live, err := s.cfg.Exports.FindExportsByState(ctx, quire.ExportQueued, quire.ExportRunning, quire.ExportReady)
	if err != nil {
		return 0, err
	}
	keep := map[string]bool{}
	expired := 0
	var errs []error
	for _, e := range live {
		if e.State == quire.ExportReady && !s.now().Before(e.ExpiresAt) {
			if err := s.finish(ctx, e, quire.ExportExpired); err != nil {
				errs = append(errs, err)
			} else {
				expired++
			}
			continue
		}
		keep[e.ID] = true
	}
	for _, id := range ids {
		if !keep[id] {
			errs = append(errs, s.cfg.Archives.remove(ctx, id))
		}
	}
	return expired, errors.Join(errs...)
}

// finish moves a ready export to state (downloaded or expired) and
// deletes its archive. Another caller that got there first is no error.
func (s *Service) finish(ctx context.Context, e *quire.Export, state string) error {
	next := *e
	next.State, next.Worker = state, "" // whichever instance built it
	err := s.cfg.Exports.UpdateExport(ctx, &next, quire.ExportReady)
	if err != nil && quire.ErrorCode(err) != quire.ECONFLICT {
		return err
	}
	return s.cfg.Archives.remove(ctx, e.ID)
}
