package export

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/quirehq/quire"
)

// Download is an archive being downloaded: its export and a reader of its
// plaintext, which decrypts as it goes and fails at the first chunk that
// does not authenticate.
type Download struct {
	Export *quire.Export
	io.ReadCloser
	svc *Service
}

// Close closes the reader and ends the download's claim on the export:
// a download that did not complete (Downloaded not called) may be tried
// again.
func (d *Download) Close() error {
	err := d.ReadCloser.Close()
	d.svc.unclaim(d.Export.ID)
	return err
}

// downloadClaim is how long one download holds an archive of size bytes,
// unless it ends before: long enough for a slow link to fetch it, short
// enough that a download cut by a crash does not hold it for long.
func downloadClaim(size int64) time.Duration {
	return time.Hour + time.Duration(size/(64<<10))*time.Second
}

// unclaim ends the download claim on export id; a failure leaves the
// claim to end on its own.
func (s *Service) unclaim(id string) {
	if err := s.cfg.Exports.ReleaseExportDownload(context.Background(), id); err != nil {
		s.log.Warn("data export download claim not released; it ends on its own", "export", id, "code", quire.ErrorCode(err))
	}
}

// Open opens the archive of the user's export id for download. Another
// user's export is ENOTFOUND; one downloaded or expired is EEXPORTGONE;
// one not ready yet (or failed) is ECONFLICT. Open claims the archive for
// this download: another Open while it is being downloaded is
// EEXPORTGONE. The caller streams it and, once every byte is sent, calls
// Downloaded; Close ends the claim, so that a download that failed may be
// tried again.
func (s *Service) Open(ctx context.Context, userID, id string) (*Download, error) {
	e, err := s.Export(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	switch e.State {
	case quire.ExportReady:
	case quire.ExportDownloaded, quire.ExportExpired:
		return nil, errGone()
	default:
		return nil, quire.Errorf(quire.ECONFLICT, "This export is not ready to download.")
	}
	at := s.now()
	if err := s.cfg.Exports.ClaimExportDownload(ctx, userID, e.ID, at, at.Add(downloadClaim(e.Size))); err != nil {
		if quire.ErrorCode(err) == quire.ECONFLICT {
			return nil, errGone() // being downloaded, or done with meanwhile
		}
		return nil, err
	}
	rc, _, err := s.cfg.Archives.open(ctx, e.ID)
	if err != nil {
		s.unclaim(e.ID)
		if quire.ErrorCode(err) == quire.ENOTFOUND {
			return nil, errGone() // deleted meanwhile by the sweep, or kept by another instance
		}
		return nil, err
	}
	return &Download{Export: e, ReadCloser: rc, svc: s}, nil
}

// Downloaded records the first complete download of export e: it is marked
// downloaded and its archive deleted, so that it cannot be downloaded
// again.
func (s *Service) Downloaded(ctx context.Context, e *quire.Export) error {
	ctx = context.WithoutCancel(ctx)
	if err := s.finish(ctx, e, quire.ExportDownloaded); err != nil {
		return err
	}
	s.audit(ctx, EventExportDownloaded, e.UserID, e.ID)
	return nil
}

// ForgetUser deletes the archives of every export of userID, as the
// account's deletion begins (claim GDPR-3): a ready archive is marked
// expired and its key shredded with it; an export queued or being built
// is marked failed (ExportFailAccountDeleted), so that no archive of it is
// ever ready: the instance building it stops at its next lease renewal,
// or at the latest when its final update finds the export failed, and
// removes what it wrote at once. The export rows hold no personal data
// and go with the user.
func (s *Service) ForgetUser(ctx context.Context, userID string) error {
	list, err := s.cfg.Exports.FindExports(ctx, userID)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range list {
		switch {
		case e.Active():
			next := *e
			next.State, next.FailCode, next.FinishedAt, next.Worker = quire.ExportFailed, quire.ExportFailAccountDeleted, s.now(), ""
			err := s.cfg.Exports.UpdateExport(ctx, &next, quire.ExportQueued, quire.ExportRunning)
			if c := quire.ErrorCode(err); c == quire.ECONFLICT || c == quire.ENOTFOUND {
				err = nil // finished meanwhile: the sweep deletes a ready archive that is not ready anymore
				if c == quire.ECONFLICT && s.cfg.Archives != nil {
					if cur, ferr := s.cfg.Exports.FindExport(ctx, userID, e.ID); ferr == nil && cur.State == quire.ExportReady {
						err = s.finish(ctx, cur, quire.ExportExpired)
					}
				}
			}
			errs = append(errs, err)
		case e.State == quire.ExportReady && s.cfg.Archives != nil:
			errs = append(errs, s.finish(ctx, e, quire.ExportExpired))
		}
	}
	return errors.Join(errs...)
}

// errGone refuses the download of an archive that is no more.
func errGone() error {
	return quire.Errorf(quire.EEXPORTGONE, "This export is no longer available: it was downloaded already or it expired. Start a new export.")
}
