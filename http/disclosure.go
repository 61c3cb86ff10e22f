package http

import (
	"net/http"
	"strings"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/disclosure"
)

// maxReportBody caps the body of the report intake, form or JSON: a
// report's details are up to quire.MaxSecurityReportDetails characters,
// which a form encodes in up to twelve bytes each (four of UTF-8, each
// percent-encoded) and JSON in up to twelve too (a surrogate pair of
// \uXXXX escapes).
const maxReportBody = 12*quire.MaxSecurityReportDetails + maxFormBytes

// registerDisclosure registers vulnerability disclosure (claim VDP-1):
// GET /.well-known/security.txt (RFC 9116) and its legacy location
// /security.txt (a 301 to it), the report form GET and POST
// /security/report, and the JSON intake POST /api/v1/security/reports.
// None needs a session. Submissions from one client address share one
// budget, Disclosure.ReportsPerHour an hour. Without Config.Disclosure
// nothing is registered.
func (s *Server) registerDisclosure() {
	if s.cfg.Disclosure == nil {
		return
	}
	h := &disclosureRoutes{s: s, svc: s.cfg.Disclosure,
		limit: newAuthThrottle(s.cfg.Disclosure.ReportsPerHour(), time.Hour)}
	s.Handle("GET "+disclosure.WellKnownPath, h.securityTxt)
	s.Mount("GET "+disclosure.LegacyPath, http.RedirectHandler(disclosure.WellKnownPath, http.StatusMovedPermanently))
	s.page("GET "+disclosure.IntakePath, h.pageReport)
	s.Mount("POST "+disclosure.IntakePath, BodyLimit(maxReportBody, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h.postReport(w, r); err != nil {
			s.pageError(w, r, err)
		}
	})))
	s.Mount("POST /api/v1/security/reports", BodyLimit(maxReportBody, s.handlerFunc(h.submit)))
}

// disclosureRoutes serves the disclosure routes.
type disclosureRoutes struct {
	s     *Server
	svc   *disclosure.Service
	limit *authThrottle
}

// securityTxt answers GET /.well-known/security.txt, generated for this
// request: Expires counts from now and Canonical names the public URL.
// Without a configured public URL, the file names the host the request
// came to: no cache may keep it, or serve it for another host.
func (h *disclosureRoutes) securityTxt(w http.ResponseWriter, r *http.Request) error {
	base, configured := h.publicBase(r)
	body := h.svc.SecurityTxt(base)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	if configured {
		hdr.Set("Cache-Control", "public, max-age=3600")
	} else {
		hdr.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	return err
}

// publicBase is the public base URL of the server: the accounts'
// configured base URL (configured is true), else this request's host over
// HTTPS (as links are made, see noteLinksAPI.linkBase).
func (h *disclosureRoutes) publicBase(r *http.Request) (base string, configured bool) {
	if a := h.s.cfg.Auth; a != nil {
		if base := a.Config().BaseURL; base != "" {
			return strings.TrimRight(base, "/"), true
		}
	}
	return "https://" + r.Host, false
}

// check refuses a submission with a bad field, then spends one report
// from the client address's hourly budget: a report that would be refused
// anyway costs nothing, so that correcting a typo does not use it up.
func (h *disclosureRoutes) check(r *http.Request, sub disclosure.Submission) error {
	if err := h.svc.Check(sub); err != nil {
		return err
	}
	if ok, wait := h.limit.take("report " + clientAddr(r)); !ok {
		h.s.decide(r, layerThrottle, "security_report", false)
		e := quire.Errorf(quire.ERATELIMITED, "Too many reports from your network. Wait a while and try again, or write to the contacts in /.well-known/security.txt.")
		e.RetryAfter = wait
		return e
	}
	return nil
}

// reportInput is the body of POST /api/v1/security/reports.
type reportInput struct {
	Email   string `json:"email"`
	Title   string `json:"title"`
	Details string `json:"details"`
}

// submit answers POST /api/v1/security/reports with 202 {reportId,
// receiptSent}: the report is stored, and receiptSent says whether a
// receipt is on its way. A refused field is 422 with field_required,
// field_too_long or email_invalid; a spent budget (the client address's,
// or the intake's in all) 429 rate_limited.
func (h *disclosureRoutes) submit(w http.ResponseWriter, r *http.Request) error {
	var in reportInput
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	sub := disclosure.Submission{Email: in.Email, Title: in.Title, Details: in.Details}
	if err := h.check(r, sub); err != nil {
		return err
	}
	rep, err := h.svc.Submit(r.Context(), sub)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusAccepted, map[string]any{"reportId": rep.ID, "receiptSent": rep.ReceiptSent})
}
