package trust

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

func TestVDP1Live(t *testing.T) {
	env := liveEnv(t, goodTLS())
	ctx := context.Background()
	st, ev := checkVDP1(ctx, env)
	assertResult(t, st, ev, StatusPass, "parses as RFC 9116", "Canonical names the URL fetched", "/security.txt redirects",
		"the report form at /security/report is served", "422 field_required", "no report is past its 48-hour acknowledgement deadline (0 awaiting",
		"Policy given", "Preferred-Languages given", "only logged")
	if list, err := env.Disclosure.Reports.FindSecurityReports(ctx, quire.SecurityReportFilter{}); err != nil || len(list) != 0 {
		t.Fatalf("the check left %d reports (%v)", len(list), err)
	}

	// A report within its window passes; one past it fails the claim.
	fresh := &quire.SecurityReport{Email: "a@example.com", Title: "t", Details: "d"}
	late := &quire.SecurityReport{Email: "b@example.com", Title: "t", Details: "d", ReceivedAt: time.Now().Add(-49 * time.Hour)}
	for _, r := range []*quire.SecurityReport{fresh, late} {
		if err := env.Disclosure.Reports.CreateSecurityReport(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	st, ev = checkVDP1(ctx, env)
	assertResult(t, st, ev, StatusFail, "report "+late.ID+" is unacknowledged 1h0m0s past its 48-hour deadline")
	if _, err := env.Disclosure.Reports.SetSecurityReportStatus(ctx, late.ID, quire.SecurityReportAcknowledged, time.Now()); err != nil {
		t.Fatal(err)
	}
	env.Disclosure.OperatorAlerts = true
	st, ev = checkVDP1(ctx, env)
	assertResult(t, st, ev, StatusPass, "(1 awaiting acknowledgement)", "emailed to the operator")

	env.Disclosure.Reports = nil
	st, ev = checkVDP1(ctx, env)
	assertResult(t, st, ev, StatusFail, "the report store is not available")
}

func TestVDP1NeedsAServer(t *testing.T) {
	st, ev := checkVDP1(context.Background(), &Env{})
	assertResult(t, st, ev, StatusFail, "no server URL given")
}

// TestVDP1StaleFile serves a security.txt that expired, no redirect and no
// intake: each is a failure of its own.
func TestVDP1StaleFile(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/security.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("Contact: mailto:security@example.com\nExpires: 2020-01-01T00:00:00Z\nCanonical: https://" + r.Host + "/.well-known/security.txt\n"))
	}))
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	env := &Env{URL: srv.URL, RootCAs: roots, Disclosure: DisclosureInfo{Reports: emptyReports{}}}
	st, ev := checkVDP1(context.Background(), env)
	assertResult(t, st, ev, StatusFail, "Expires has passed", "GET /security.txt answered 404", "GET /security/report answered 404",
		"POST /api/v1/security/reports with an empty report answered 404")
}

// emptyReports is a report store with no reports.
type emptyReports struct{ quire.SecurityReportService }

func (emptyReports) FindSecurityReports(context.Context, quire.SecurityReportFilter) ([]*quire.SecurityReport, error) {
	return nil, nil
}

func (emptyReports) CountSecurityReports(context.Context, quire.SecurityReportFilter) (int, error) {
	return 0, nil
}

// TestVDP1LateBehindNewer hides a late report behind more than a
// listing's worth of newer ones: the check still fails, and names it.
func TestVDP1LateBehindNewer(t *testing.T) {
	env := liveEnv(t, goodTLS())
	ctx := context.Background()
	late := &quire.SecurityReport{Email: "b@example.com", Title: "t", Details: "d", ReceivedAt: time.Now().Add(-50 * time.Hour)}
	if err := env.Disclosure.Reports.CreateSecurityReport(ctx, late); err != nil {
		t.Fatal(err)
	}
	for range quire.MaxSecurityReportList + 1 {
		r := &quire.SecurityReport{Email: "a@example.com", Title: "t", Details: "d"}
		if err := env.Disclosure.Reports.CreateSecurityReport(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	st, ev := checkVDP1(ctx, env)
	assertResult(t, st, ev, StatusFail, "report "+late.ID+" is unacknowledged 2h0m0s past its 48-hour deadline")
}

// TestPublicVDP1Evidence keeps the reports' IDs and counts off the public
// trust page: it says only whether a deadline was missed.
func TestPublicVDP1Evidence(t *testing.T) {
	id := quire.NewID()
	for _, tt := range []struct {
		name string
		ev   []string
		want []string
	}{
		{"late", []string{"/.well-known/security.txt parses", "FAIL: reports: report " + id + " is unacknowledged 1h0m0s past its 48-hour deadline",
			"FAIL: reports: 7 reports in all are past their deadline unacknowledged", "no disclosure.operator_email: only logged"},
			[]string{"/.well-known/security.txt parses", "no disclosure.operator_email: only logged", publicDeadlinesMissed}},
		{"in time", []string{"FAIL: GET /security.txt answered 404", "reports: no report is past its 48-hour acknowledgement deadline (3 awaiting acknowledgement)"},
			[]string{"FAIL: GET /security.txt answered 404", publicDeadlinesMet}},
		{"no store", []string{"FAIL: reports: the report store is not available to this check"}, []string{publicDeadlinesMissed}},
	} {
		got := PublicVDP1Evidence(tt.ev)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		for _, line := range got {
			if strings.Contains(line, id) || strings.ContainsAny(line, "0123456789") && strings.Contains(line, "report") && !strings.Contains(line, "48-hour") {
				t.Errorf("%s: public line %q names or counts reports", tt.name, line)
			}
		}
	}
}
