package http

import (
	"context"
	"fmt"
	"net/http"

	"github.com/quirehq/quire"
)

// exportView is the account page's export section (claim GDPR-1): the
// newest export's state and progress, and its download link once ready.
type exportView struct {
	// Status says where the newest export is, in words; "" before any.
	Status string
	// Active disables the button while an export is being prepared.
	Active bool
	// DownloadURL, Size and Expires describe a ready archive.
	DownloadURL string
	Size        string
	Expires     string
	// Days is how many days a ready archive may be downloaded.
	Days int
}

// registerExportPages adds the account page's export form, when exports
// are configured.
func (s *Server) registerExportPages() {
	if s.cfg.Exports != nil {
		s.page("POST /account/export", s.needSession(s.postExport, false))
	}
}

// exportRow builds the export section for userID, or nil without exports.
func (s *Server) exportRow(ctx context.Context, userID string) (*exportView, error) {
	if s.cfg.Exports == nil {
		return nil, nil
	}
	v := &exportView{Days: int(s.cfg.Exports.TTL().Hours() / 24)}
	list, err := s.cfg.Exports.Exports(ctx, userID)
	if err != nil || len(list) == 0 {
		return v, err
	}
	e := list[0]
	v.Active = e.Active()
	switch e.State {
	case quire.ExportQueued:
		v.Status = "Your export is queued. Reload this page to follow its progress."
	case quire.ExportRunning:
		v.Status = fmt.Sprintf("Your export is being prepared: %d of %d items. Reload this page to follow its progress.", e.ItemsDone, e.ItemsTotal)
	case quire.ExportReady:
		v.Status = "Your export is ready."
		v.DownloadURL, v.Size, v.Expires = exportDownloadPath(e.ID), byteSize(e.Size), pageTime(e.ExpiresAt)
	case quire.ExportFailed:
		v.Status = "Your last export failed. Try again; if it fails again, contact support."
	case quire.ExportDownloaded:
		v.Status = "Your last export was downloaded, and deleted from Quire."
	case quire.ExportExpired:
		v.Status = "Your last export expired before it was downloaded, and was deleted."
	}
	return v, nil
}

// postExport starts an export of the session's user and shows the page
// again with its state.
func (s *Server) postExport(w http.ResponseWriter, r *http.Request, sess *quire.Session) error {
	if err := parseForm(r); err != nil {
		return s.accountError(w, r, sess, err)
	}
	if _, err := s.cfg.Exports.Start(r.Context(), sess.UserID); err != nil {
		return s.accountError(w, r, sess, err)
	}
	return seeOther(w, r, "/account?done=export-started#export")
}

// byteSize writes n bytes for people: 512 bytes, 1.5 MB, 2.3 GB.
func byteSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	f, suffix := float64(n)/unit, "kB"
	for _, s := range []string{"MB", "GB", "TB"} {
		if f < unit {
			break
		}
		f, suffix = f/unit, s
	}
	return fmt.Sprintf("%.1f %s", f, suffix)
}
