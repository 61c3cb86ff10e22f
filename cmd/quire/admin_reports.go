package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/disclosure"
)

// reportsCommand reports whether words (after "reports") is a command
// `quire admin reports` knows.
func reportsCommand(words []string) bool {
	switch {
	case len(words) == 1:
		return words[0] == "list"
	case len(words) == 2 && words[0] == "list":
		_, ok := listPage(words[1:])
		return ok
	case len(words) == 2:
		return slices.Contains([]string{"show", "ack", "resolve", "reject"}, words[0])
	}
	return false
}

// listPage returns the page `quire admin reports list [PAGE]` asks for
// (1 when none is given), and whether it is a page number.
func listPage(words []string) (int, bool) {
	if len(words) == 0 {
		return 1, true
	}
	n, err := strconv.Atoi(words[0])
	return n, err == nil && n >= 1 && n <= maxListPage
}

// reportsPerPage is the number of reports a page of the list shows, and
// maxListPage the last page it can show (a store listing stops at
// quire.MaxSecurityReportList reports in).
const (
	reportsPerPage = 50
	maxListPage    = 1_000_000
)

// runReports runs `quire admin reports …` on the opened app: list and
// the moves show no report's content; show prints it, escaped.
func runReports(ctx context.Context, a *app, words []string, stdout io.Writer) error {
	svc, err := newDisclosure(a, cliLogger(a.stderr))
	if err != nil {
		return err
	}
	switch words[0] {
	case "list":
		page, _ := listPage(words[1:])
		return listReports(ctx, svc, stdout, page)
	case "show":
		r, err := svc.Get(ctx, words[1])
		if err != nil {
			return err
		}
		showReport(stdout, r)
		return nil
	}
	move := map[string]func(context.Context, string) (*quire.SecurityReport, error){
		"ack": svc.Acknowledge, "resolve": svc.Resolve, "reject": svc.Reject}[words[0]]
	r, err := move(ctx, words[1])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Report %s is %s. %s\n", r.ID, r.Status, timeliness(r))
	return nil
}

// listReports prints the reports past their deadline first, the longest
// overdue first (however many newer reports there are), then one page of
// all the reports, newest first: one line each, no content.
func listReports(ctx context.Context, svc *disclosure.Service, stdout io.Writer, page int) error {
	late, err := svc.CountOverdue(ctx)
	if err != nil {
		return err
	}
	if late > 0 {
		overdue, err := svc.Overdue(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d report(s) past the 48-hour window, longest overdue first: acknowledge them now (quire admin reports ack ID).\n", late)
		if err := reportTable(stdout, overdue); err != nil {
			return err
		}
		if late > len(overdue) {
			fmt.Fprintf(stdout, "… and %d more past the window.\n", late-len(overdue))
		}
		fmt.Fprintln(stdout)
	}
	list, err := svc.ListPage(ctx, (page-1)*reportsPerPage, reportsPerPage+1)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		if page == 1 {
			fmt.Fprintln(stdout, "No vulnerability reports.")
		} else {
			fmt.Fprintf(stdout, "No reports on page %d.\n", page)
		}
		return nil
	}
	more := len(list) > reportsPerPage
	list = list[:min(len(list), reportsPerPage)]
	fmt.Fprintf(stdout, "All reports, newest first (page %d):\n", page)
	if err := reportTable(stdout, list); err != nil {
		return err
	}
	if more {
		fmt.Fprintf(stdout, "More on the next page: quire admin reports list %d\n", page+1)
	}
	return nil
}

// reportTable prints one line per report.
func reportTable(stdout io.Writer, list []*quire.SecurityReport) error {
	t := now()
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tSTATUS\tRECEIVED\tACK DUE\tOVERDUE")
	for _, r := range list {
		overdue := "no"
		if r.Overdue(t) {
			overdue = "YES"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Status, cliTime(r.ReceivedAt), cliTime(r.AckDue), overdue)
	}
	return w.Flush()
}

// showReport prints a report with what its reporter wrote. That text is
// from an anonymous stranger: control and format characters (terminal
// escapes above all) are shown escaped, never sent to the terminal; the
// reporter's address and the title are kept to one line, and every line
// of the details is indented under a rule, so that none can pass for a
// line of the header.
func showReport(w io.Writer, r *quire.SecurityReport) {
	fmt.Fprintf(w, "Report:        %s\nStatus:        %s\nReceived:      %s\nAck due:       %s (%s)\n",
		r.ID, r.Status, cliTime(r.ReceivedAt), cliTime(r.AckDue), timeliness(r))
	for _, f := range []struct {
		name string
		at   time.Time
	}{{"Acknowledged:", r.AcknowledgedAt}, {"Closed:", r.ClosedAt}, {"Reminded:", r.RemindedAt}} {
		if !f.at.IsZero() {
			fmt.Fprintf(w, "%-14s %s\n", f.name, cliTime(f.at))
		}
	}
	fmt.Fprintf(w, "Reporter:      %s\nTitle:         %s\nDetails (as the reporter wrote them, escaped):\n", escapeLine(r.Email), escapeLine(r.Title))
	for line := range strings.SplitSeq(escapeControls(r.Details), "\n") {
		fmt.Fprintf(w, "    | %s\n", line)
	}
}

// timeliness says where a report stands against its deadline.
func timeliness(r *quire.SecurityReport) string {
	switch {
	case r.Status == quire.SecurityReportNew && r.Overdue(now()):
		return fmt.Sprintf("OVERDUE by %s", now().Sub(r.AckDue).Round(time.Minute))
	case r.Status == quire.SecurityReportNew:
		return fmt.Sprintf("%s left to acknowledge it", r.AckDue.Sub(now()).Round(time.Minute))
	case r.AcknowledgedAt.After(r.AckDue):
		return fmt.Sprintf("Acknowledged %s late.", r.AcknowledgedAt.Sub(r.AckDue).Round(time.Minute))
	}
	return "Acknowledged within the 48-hour window."
}

// cliTime formats a time for the operator, in UTC.
func cliTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// escapeControls returns s with every control or format character but
// newline and tab, and the Unicode line and paragraph separators, written
// as an escape (\x1b, \u202e, \u2028), so that text from a stranger
// cannot drive the operator's terminal, reorder what it shows, or break
// lines where the terminal would.
func escapeControls(s string) string { return escapeText(s, false) }

// escapeLine is escapeControls that escapes newline and tab too: its
// result is one line.
func escapeLine(s string) string { return escapeText(s, true) }

// escapeText escapes s as escapeControls does, and newline and tab too
// when oneLine is set.
func escapeText(s string, oneLine bool) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case (r == '\n' || r == '\t') && !oneLine:
			b.WriteRune(r)
		case r == unicode.ReplacementChar || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) ||
			unicode.In(r, unicode.Zl, unicode.Zp):
			q := fmt.Sprintf("%+q", string(r))
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
