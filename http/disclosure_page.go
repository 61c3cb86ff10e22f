package http

import (
	"net/http"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/disclosure"
)

// titleReport is the title of the report form.
const titleReport = "Report a security issue"

// Notices the form shows once a report is in: with a receipt on its way,
// or without one (a receipt budget for that address was spent, or the
// email could not be queued).
const (
	reportSentNotice          = "Thank you: your report is in. A receipt with its reference is on its way to your inbox, and we will acknowledge the report within 48 hours."
	reportSentNoReceiptNotice = "Thank you: your report is in, and we will acknowledge it within 48 hours. No receipt could be sent to your address this time."
)

// reportView fills the report form again after an error.
type reportView struct {
	Title   string
	Details string
	// TitleMax and DetailsMax are the fields' limits, for the form.
	TitleMax, DetailsMax int
}

// newReportView returns the form's values with the limits set.
func newReportView(title, details string) *reportView {
	return &reportView{Title: title, Details: details, TitleMax: quire.MaxSecurityReportTitle, DetailsMax: quire.MaxSecurityReportDetails}
}

// pageReport shows the report form, and after a report the notice that
// it arrived (?done=report-sent, or report-sent-no-receipt; only those
// fixed texts are shown).
func (h *disclosureRoutes) pageReport(w http.ResponseWriter, r *http.Request) error {
	v := &view{Title: titleReport, SignedIn: signedIn(r), Report: newReportView("", "")}
	switch r.URL.Query().Get("done") {
	case "report-sent":
		v.Notice = reportSentNotice
	case "report-sent-no-receipt":
		v.Notice = reportSentNoReceiptNotice
	}
	return render(w, http.StatusOK, "security_report", v)
}

// postReport takes a report from the form: 303 to the form with the
// notice, or the form again with the error and what was typed.
func (h *disclosureRoutes) postReport(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	v := &view{Title: titleReport, SignedIn: signedIn(r), Email: f.Get("email"),
		Report: newReportView(f.Get("title"), f.Get("details"))}
	sub := disclosure.Submission{Email: f.Get("email"), Title: f.Get("title"), Details: f.Get("details")}
	if err := h.check(r, sub); err != nil {
		return formError(w, "security_report", v, err)
	}
	rep, err := h.svc.Submit(r.Context(), sub)
	if err != nil {
		return formError(w, "security_report", v, err)
	}
	if !rep.ReceiptSent {
		return seeOther(w, r, disclosure.IntakePath+"?done=report-sent-no-receipt")
	}
	return seeOther(w, r, disclosure.IntakePath+"?done=report-sent")
}
