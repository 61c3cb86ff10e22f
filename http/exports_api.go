package http

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/quirehq/quire"
)

// registerExports adds the data export routes of claim GDPR-1 (session or
// API key, the caller's own exports only), when exports are configured.
func (s *Server) registerExports() {
	if s.cfg.Exports == nil {
		return
	}
	s.Handle("POST /api/v1/me/exports", s.apiStartExport)
	s.Handle("GET /api/v1/me/exports", s.apiListExports)
	s.Handle("GET /api/v1/me/exports/{id}", s.apiGetExport)
	s.Handle("GET /api/v1/me/exports/{id}/download", s.apiDownloadExport)
}

// exportJSON is the public shape of an export: its progress, and once
// ready, where to download it until when.
type exportJSON struct {
	ID          string     `json:"exportId"`
	State       string     `json:"state"`
	ItemsDone   int        `json:"itemsDone"`
	ItemsTotal  int        `json:"itemsTotal"`
	CreatedAt   time.Time  `json:"createdAt"`
	FinishedAt  *time.Time `json:"finishedAt"`
	ExpiresAt   *time.Time `json:"expiresAt"`
	Size        int64      `json:"size"`
	SHA256      string     `json:"sha256,omitempty"`
	DownloadURL string     `json:"downloadUrl,omitempty"`
}

// toExportJSON shapes e for the API.
func toExportJSON(e *quire.Export) exportJSON {
	out := exportJSON{ID: e.ID, State: e.State, ItemsDone: e.ItemsDone, ItemsTotal: e.ItemsTotal, CreatedAt: e.CreatedAt,
		FinishedAt: optTime(e.FinishedAt), ExpiresAt: optTime(e.ExpiresAt), Size: e.Size, SHA256: e.SHA256}
	if e.State == quire.ExportReady {
		out.DownloadURL = exportDownloadPath(e.ID)
	}
	return out
}

// copyCode is the code of a download's copy error, for the log (never its
// text): "" when the copy ended early without one.
func copyCode(err error) string {
	if err == nil {
		return ""
	}
	return quire.ErrorCode(err)
}

// exportDownloadPath is where an export's archive is downloaded.
func exportDownloadPath(id string) string { return "/api/v1/me/exports/" + id + "/download" }

// crossSite reports whether the browser says the request comes from
// another site (or a subdomain): a navigation typed or bookmarked says
// "none", one from Quire's pages "same-origin".
func crossSite(r *http.Request) bool {
	site := r.Header.Get("Sec-Fetch-Site")
	return site == "cross-site" || site == "same-site"
}

// optTime is t, or nil (null) when zero.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// apiStartExport queues an export of the caller's data: 202 with the
// export, whose progress GET /api/v1/me/exports/{id} then shows.
func (s *Server) apiStartExport(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	if err := checkQuery(r); err != nil {
		return err
	}
	e, err := s.cfg.Exports.Start(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/me/exports/"+e.ID)
	return JSON(w, http.StatusAccepted, toExportJSON(e))
}

// apiListExports lists the caller's exports, newest first.
func (s *Server) apiListExports(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	if err := checkQuery(r); err != nil {
		return err
	}
	list, err := s.cfg.Exports.Exports(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	out := make([]exportJSON, 0, len(list))
	for _, e := range list {
		out = append(out, toExportJSON(e))
	}
	return JSON(w, http.StatusOK, map[string]any{"exports": out})
}

// apiGetExport answers one of the caller's exports; another user's is 404.
func (s *Server) apiGetExport(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	if err := checkQuery(r); err != nil {
		return err
	}
	e, err := s.cfg.Exports.Export(r.Context(), a.UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, toExportJSON(e))
}

// apiDownloadExport streams the caller's ready archive, decrypted as it
// goes, as an attachment; once every byte is sent the archive is deleted,
// and the export answers 410 from then on (as it does once expired). A
// failure after the first bytes aborts the response, so that a cut archive
// is never taken for a whole one; nor is it counted as downloaded.
func (s *Server) apiDownloadExport(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	if err := checkQuery(r); err != nil {
		return err
	}
	if a.Session != nil && crossSite(r) {
		// The one download must not be spent by another site's link: a
		// top-level navigation carries the (SameSite=Lax) session cookie.
		return quire.Errorf(ECROSSORIGIN, "Cross-origin request refused. Download the export from Quire's own pages or with an API key.")
	}
	d, err := s.cfg.Exports.Open(r.Context(), a.UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	defer d.Close()
	hd := w.Header()
	hd.Set("Content-Type", "application/zip")
	hd.Set("Content-Disposition", `attachment; filename="quire-export-`+d.Export.CreatedAt.UTC().Format("2006-01-02")+`.zip"`)
	hd.Set("Content-Length", strconv.FormatInt(d.Export.Size, 10))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	_ = http.NewResponseController(w).SetWriteDeadline(transferDeadline(d.Export.Size)) // not every writer has one
	w.WriteHeader(http.StatusOK)
	if n, err := io.Copy(w, d); err != nil || n != d.Export.Size {
		s.logger.ErrorContext(r.Context(), "export download cut short", "route", r.Pattern, "export", d.Export.ID, "bytes", n, "code", copyCode(err))
		panic(http.ErrAbortHandler)
	}
	if err := s.cfg.Exports.Downloaded(r.Context(), d.Export); err != nil {
		s.logger.ErrorContext(r.Context(), "downloaded export not deleted; the sweep retries", "export", d.Export.ID, "code", quire.ErrorCode(err))
	}
	return nil
}
