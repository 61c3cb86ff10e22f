package main

import (
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/trust"
)

// TestPublicReportHidesReports checks that the published trust report
// says whether a vulnerability report is late, and not which or how many;
// the operator's copy (quire trust) keeps them.
func TestPublicReportHidesReports(t *testing.T) {
	id := quire.NewID()
	cli := []string{"FAIL: reports: report " + id + " is unacknowledged 3h0m0s past its 48-hour deadline",
		"FAIL: reports: 9 reports in all are past their deadline unacknowledged"}
	rep := &trust.Report{Results: []trust.Result{
		{ID: "VDP-1", Status: trust.StatusFail, Evidence: append([]string{"/security.txt redirects"}, cli...)},
		{ID: "ENC-1", Status: trust.StatusPass, Evidence: []string{"report " + id + " elsewhere is left alone"}},
	}}
	pub := publicReport(rep, t.TempDir())
	ev := strings.Join(pub.Results[0].Evidence, "\n")
	if strings.Contains(ev, id) || strings.Contains(ev, "9 reports") || !strings.Contains(ev, "FAIL: a report is past its 48-hour acknowledgement deadline") ||
		!strings.Contains(ev, "/security.txt redirects") || pub.Results[0].Status != trust.StatusFail {
		t.Fatalf("public VDP-1 evidence:\n%s", ev)
	}
	if pub.Results[1].Evidence[0] != "report "+id+" elsewhere is left alone" {
		t.Fatalf("another claim's evidence changed: %q", pub.Results[1].Evidence)
	}
}
