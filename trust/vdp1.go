package trust

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire"
)

// DisclosureInfo describes vulnerability disclosure (claim VDP-1).
type DisclosureInfo struct {
	// Reports is the store of vulnerability reports: the check fails if a
	// report is past its acknowledgement deadline unacknowledged. Nil
	// fails the check, which then cannot see the deadlines.
	Reports quire.SecurityReportService
	// PublicURL is the URL the server names itself by (server.public_url),
	// when the check reaches it at another (a local address): a Canonical
	// there is accepted too. "" for none.
	PublicURL string
	// OperatorAlerts says whether new and nearly overdue reports are
	// emailed to an operator (disclosure.operator_email), rather than
	// only logged.
	OperatorAlerts bool
}

// Paths the check probes.
const (
	securityTxtPath = "/.well-known/security.txt"
	intakePath      = "/security/report"
	intakeAPIPath   = "/api/v1/security/reports"
)

// checkVDP1 fetches security.txt from the running server and checks it
// against RFC 9116, checks that the legacy /security.txt redirects to it,
// that the report form and the JSON intake answer, and that no report in
// the store is past its 48-hour acknowledgement deadline.
func checkVDP1(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	u, err := url.Parse(env.URL)
	if env.URL == "" {
		e.failf("no server URL given; run with --url")
		return e.result()
	} else if err != nil || u.Scheme != "https" || u.Host == "" {
		e.failf("the server URL must be an absolute https:// URL")
		return e.result()
	}
	c := probeClient(env.RootCAs, env.ServerName)
	checkSecurityTxt(ctx, &e, c, u, publicHost(env.Disclosure.PublicURL))
	checkLegacyRedirect(ctx, &e, c, u)
	checkIntake(ctx, &e, c, u)
	checkDeadlines(ctx, &e, env.Disclosure)
	return e.result()
}

// publicHost is the host[:port] of the public URL, or "".
func publicHost(public string) string {
	u, err := url.Parse(public)
	if err != nil {
		return ""
	}
	return u.Host
}

// checkSecurityTxt fetches and judges /.well-known/security.txt; a
// Canonical on altHost (the public URL's host) is accepted too.
func checkSecurityTxt(ctx context.Context, e *evidence, c *http.Client, base *url.URL, altHost string) {
	target := base.JoinPath(securityTxtPath)
	resp, body, err := fetch(ctx, c, http.MethodGet, target.String(), nil, nil)
	if err != nil {
		e.failf("GET %s: %v", securityTxtPath, err)
		return
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") ||
		!strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "charset=utf-8") {
		e.failf("GET %s answered %d with Content-Type %q; RFC 9116 wants 200 text/plain; charset=utf-8", securityTxtPath, resp.StatusCode, resp.Header.Get("Content-Type"))
		return
	}
	txt, err := ParseSecurityTxt(body)
	if err != nil {
		e.failf("%s does not parse as RFC 9116: %v", securityTxtPath, err)
		return
	}
	problems, expires := txt.Problems(time.Now(), target, altHost)
	for _, p := range problems {
		e.failf("%s: %s", securityTxtPath, p)
	}
	if len(problems) == 0 {
		e.notef("%s parses as RFC 9116: %d Contact(s), Expires %s (%s ahead, under a year), Canonical names the URL fetched",
			securityTxtPath, len(txt.Values("Contact")), expires.Format(time.RFC3339), time.Until(expires).Round(time.Hour))
	}
	for _, f := range []string{"Policy", "Preferred-Languages", "Encryption", "Acknowledgments", "Hiring"} {
		if v := txt.Values(f); len(v) > 0 {
			e.notef("%s: %s given", securityTxtPath, f)
		}
	}
}

// checkLegacyRedirect checks that /security.txt sends clients to the
// well-known location (RFC 9116 §3).
func checkLegacyRedirect(ctx context.Context, e *evidence, c *http.Client, base *url.URL) {
	resp, _, err := fetch(ctx, c, http.MethodGet, base.JoinPath("/security.txt").String(), nil, nil)
	if err != nil {
		e.failf("GET /security.txt: %v", err)
		return
	}
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusMovedPermanently || loc != securityTxtPath {
		e.failf("GET /security.txt answered %d to %q, want 301 to %s", resp.StatusCode, loc, securityTxtPath)
		return
	}
	e.notef("/security.txt redirects to %s (301)", securityTxtPath)
}

// checkIntake checks that the report form is served and that the JSON
// intake answers an empty report with 422 field_required: it refuses it
// before storing or sending anything, and before it spends the address's
// report budget. The probes present a browser's User-Agent: the intake
// takes the bot policy of the pages.
func checkIntake(ctx context.Context, e *evidence, c *http.Client, base *url.URL) {
	browser := map[string]string{"User-Agent": browserUA, "Accept": "text/html"}
	resp, body, err := fetch(ctx, c, http.MethodGet, base.JoinPath(intakePath).String(), nil, browser)
	switch {
	case err != nil:
		e.failf("GET %s: %v", intakePath, err)
	case resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`action="`+intakePath+`"`)):
		e.failf("GET %s answered %d without the report form", intakePath, resp.StatusCode)
	default:
		e.notef("the report form at %s is served", intakePath)
	}
	hdr := map[string]string{"User-Agent": browserUA, "Content-Type": "application/json", "Accept": "application/json"}
	resp, body, err = fetch(ctx, c, http.MethodPost, base.JoinPath(intakeAPIPath).String(), []byte(`{"email":"","title":"","details":""}`), hdr)
	if err != nil {
		e.failf("POST %s: %v", intakeAPIPath, err)
		return
	}
	if resp.StatusCode != http.StatusUnprocessableEntity || !bytes.Contains(body, []byte(`"field_required"`)) {
		e.failf("POST %s with an empty report answered %d, want 422 field_required", intakeAPIPath, resp.StatusCode)
		return
	}
	e.notef("POST %s answers (an empty report: 422 field_required)", intakeAPIPath)
}

// maxLateListed bounds the late reports the evidence names one by one.
const maxLateListed = 5

// deadlinePrefix starts every evidence line about the reports' deadlines:
// those name reports and count them, which is for the operator (quire
// trust), not for the public page (PublicVDP1Evidence).
const deadlinePrefix = "reports: "

// Public evidence of the deadlines, which says no more than pass or fail.
const (
	publicDeadlinesMet    = "no report is past its 48-hour acknowledgement deadline"
	publicDeadlinesMissed = "FAIL: a report is past its 48-hour acknowledgement deadline, or the deadlines could not be checked"
)

// checkDeadlines fails for every report still unacknowledged past its
// 48-hour deadline. It counts them in the store, and names the longest
// overdue, so that none can hide behind newer reports.
func checkDeadlines(ctx context.Context, e *evidence, d DisclosureInfo) {
	if d.Reports == nil {
		e.failf(deadlinePrefix + "the report store is not available to this check: the acknowledgement deadlines cannot be seen")
		return
	}
	overdue := quire.SecurityReportFilter{Status: quire.SecurityReportNew, DueBy: time.Now(), OldestDueFirst: true, Limit: maxLateListed}
	late, err := d.Reports.CountSecurityReports(ctx, overdue)
	if err != nil {
		e.failf(deadlinePrefix+"count the reports past their deadline: %s", quire.ErrorMessage(err))
		return
	}
	open, err := d.Reports.CountSecurityReports(ctx, quire.SecurityReportFilter{Status: quire.SecurityReportNew})
	if err != nil {
		e.failf(deadlinePrefix+"count the reports awaiting acknowledgement: %s", quire.ErrorMessage(err))
		return
	}
	if late == 0 {
		e.notef(deadlinePrefix+"%s (%d awaiting acknowledgement)", publicDeadlinesMet, open)
	} else if err := listLate(ctx, e, d.Reports, overdue, late); err != nil {
		e.failf(deadlinePrefix+"list the reports past their deadline: %s", quire.ErrorMessage(err))
	}
	if d.OperatorAlerts {
		e.notef("new reports, and reports still new 36 hours after they came in, are emailed to the operator")
	} else {
		e.notef("no disclosure.operator_email: new and nearly overdue reports are only logged")
	}
}

// listLate fails for the late reports, naming the longest overdue.
func listLate(ctx context.Context, e *evidence, reports quire.SecurityReportService, overdue quire.SecurityReportFilter, late int) error {
	list, err := reports.FindSecurityReports(ctx, overdue)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, r := range list {
		e.failf(deadlinePrefix+"report %s is unacknowledged %s past its 48-hour deadline", r.ID, now.Sub(r.AckDue).Round(time.Minute))
	}
	if late > len(list) {
		e.failf(deadlinePrefix+"%d reports in all are past their deadline unacknowledged", late)
	}
	return nil
}

// PublicVDP1Evidence returns the evidence of claim VDP-1 fit for the public
// trust page: the lines about the reports' deadlines, which name and count
// reports, become one line that says only whether any is late. The rest
// (security.txt, the intake) is kept.
func PublicVDP1Evidence(ev []string) []string {
	var out []string
	seen, failed := false, false
	for _, line := range ev {
		rest, isFail := strings.CutPrefix(line, "FAIL: ")
		if !strings.HasPrefix(rest, deadlinePrefix) {
			out = append(out, line)
			continue
		}
		seen, failed = true, failed || isFail
	}
	switch {
	case failed:
		out = append(out, publicDeadlinesMissed)
	case seen:
		out = append(out, publicDeadlinesMet)
	}
	return out
}

// maxProbeBody bounds what a probe reads of a response.
const maxProbeBody = 1 << 20

// fetch sends one request with the given body and headers and returns the
// response with its body read (up to maxProbeBody). When the server asks
// the checker to slow down (429: another check spends this address's
// budget on purpose), it waits as Retry-After says, within
// maxThrottleWait, and tries again.
func fetch(ctx context.Context, c *http.Client, method, target string, body []byte, hdr map[string]string) (*http.Response, []byte, error) {
	for {
		resp, b, err := fetchOnce(ctx, c, method, target, body, hdr)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests {
			return resp, b, err
		}
		wait, perr := strconv.Atoi(resp.Header.Get("Retry-After"))
		if perr != nil || wait < 0 || time.Duration(wait)*time.Second > maxThrottleWait {
			return resp, b, nil
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(time.Duration(wait)*time.Second + 100*time.Millisecond):
		}
	}
}

// fetchOnce sends one request and reads the answer.
func fetchOnce(ctx context.Context, c *http.Client, method, target string, body []byte, hdr map[string]string) (*http.Response, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, nil, fmt.Errorf("build request: %w", err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxProbeBody))
	if err != nil {
		return nil, nil, fmt.Errorf("read the answer: %w", err)
	}
	return resp, b, nil
}
