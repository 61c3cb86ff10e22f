package disclosure_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/disclosure"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/internal/fakeclock"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/sqlite"
)

// newEnvWith builds an env whose Service has cfg's budgets (its Reports,
// Mail, OperatorEmail and Now are filled in).
func newEnvWith(t *testing.T, cfg disclosure.Config) *env {
	t.Helper()
	db, b, dir := authtest.SQLite(t)
	e := &env{reports: sqlite.NewSecurityReportService(db, b), clock: fakeclock.New(),
		outbox: filepath.Join(dir, "outbox"), logs: &syncBuffer{}}
	cfg.Reports, cfg.Mail, cfg.OperatorEmail, cfg.Now = e.reports, &mail.Outbox{Dir: e.outbox}, "ops@example.com", e.clock.Now
	var err error
	if e.svc, err = disclosure.New(cfg); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestGlobalReportCap refuses reports past the intake's hourly budget,
// whatever their address, with the time to wait; an hour later the
// intake takes them again.
func TestGlobalReportCap(t *testing.T) {
	e := newEnvWith(t, disclosure.Config{ReportsGlobalPerHour: 3})
	for i := range 3 {
		e.submit(t, "r"+itoa(i)+"@example"+itoa(i)+".com", "t")
	}
	_, err := e.svc.Submit(context.Background(), disclosure.Submission{Email: "new@example.org", Title: "t", Details: "d"})
	if quire.ErrorCode(err) != quire.ERATELIMITED || quire.ErrorRetryAfter(err) <= 0 {
		t.Fatalf("a report past the global budget: %v (Retry-After %v)", err, quire.ErrorRetryAfter(err))
	}
	if list, _ := e.svc.List(context.Background()); len(list) != 3 {
		t.Fatalf("%d reports stored, want 3", len(list))
	}
	e.clock.Add(time.Hour)
	e.submit(t, "new@example.org", "t")
}

// TestAlertDigest sends the operator one alert per report up to the
// hourly budget, then one digest an hour for the rest.
func TestAlertDigest(t *testing.T) {
	e := newEnvWith(t, disclosure.Config{AlertsPerHour: 2, ReceiptsPerHour: 1000})
	ctx := context.Background()
	for i := range 5 {
		e.submit(t, "r"+itoa(i)+"@example.com", "t")
	}
	e.wantMail(t, mail.KindSecurityReportAlert, 2, "ops@example.com")
	if n, err := e.svc.SendDigest(ctx); n != 3 || err != nil {
		t.Fatalf("digest counted %d (%v), want 3", n, err)
	}
	e.wantMail(t, mail.KindSecurityReportDigest, 1, "ops@example.com", "3 more security report(s)")
	e.submit(t, "late@example.com", "t")
	if n, err := e.svc.SendDigest(ctx); n != 0 || err != nil {
		t.Fatalf("a second digest within the hour counted %d (%v)", n, err)
	}
	e.clock.Add(time.Hour)
	if n, _ := e.svc.SendDigest(ctx); n != 1 {
		t.Fatalf("the next hour's digest counted %d, want 1", n)
	}
	if n, _ := e.svc.SendDigest(ctx); n != 0 {
		t.Fatalf("a digest of nothing counted %d", n)
	}
	e.wantMail(t, mail.KindSecurityReportDigest, 2, "ops@example.com", "1 more security report(s)")
	e.wantMail(t, mail.KindSecurityReportAlert, 2, "ops@example.com")
}

// TestReceiptBudgets checks the receipt budgets: per canonical mailbox
// (case and +tags count as one), per domain a day, and in all an hour.
func TestReceiptBudgets(t *testing.T) {
	e := newEnvWith(t, disclosure.Config{ReceiptsPerAddress: 2, ReceiptsPerDomain: 4, ReceiptsPerHour: 6, ReportsPerHour: 100})
	ctx := context.Background()
	sent := func(email string) bool {
		t.Helper()
		r, err := e.svc.Submit(ctx, disclosure.Submission{Email: email, Title: "t", Details: "d"})
		if err != nil {
			t.Fatal(err)
		}
		return r.ReceiptSent
	}
	for i, tt := range []struct {
		email string
		want  bool
	}{
		{"victim@example.com", true},
		{"victim+a@example.com", true},
		{"Victim+b@Example.com", false}, // the mailbox's two are spent
		{"other@example.com", true},
		{"third@example.com", true},
		{"fourth@example.com", false}, // example.com's four are spent
		{"a@elsewhere.test", true},
		{"b@elsewhere.test", true},
		{"c@third.test", false}, // six in the hour in all
	} {
		if got := sent(tt.email); got != tt.want {
			t.Errorf("#%d %s: receipt %t, want %t", i, tt.email, got, tt.want)
		}
	}
	e.wantMail(t, mail.KindSecurityReportReceived, 6, "b@elsewhere.test")
	e.clock.Add(time.Hour)
	if !sent("c@third.test") || sent("fifth@example.com") {
		t.Fatal("an hour on: want a receipt for a new domain, none for a domain whose day is spent")
	}
	e.clock.Add(24 * time.Hour)
	if !sent("victim+c@example.com") {
		t.Fatal("a day on, the mailbox got no receipt")
	}
}

// TestStatusEmails tells the reporter when the report is acknowledged
// and closed: the reference and the status, none of the report.
func TestStatusEmails(t *testing.T) {
	e := newEnvWith(t, disclosure.Config{})
	ctx := context.Background()
	r, err := e.svc.Submit(ctx, disclosure.Submission{Email: "Reporter@Example.com", Title: "qcanary-title", Details: "qcanary-details"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Acknowledge(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	e.wantMail(t, mail.KindSecurityReportStatus, 1, "reporter@example.com", r.ID, "acknowledged")
	if _, err := e.svc.Resolve(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	e.wantMail(t, mail.KindSecurityReportStatus, 2, "reporter@example.com", r.ID, "resolved")
	spam := e.submit(t, "spammer@example.net", "x")
	if _, err := e.svc.Reject(ctx, spam.ID); err != nil {
		t.Fatal(err)
	}
	e.wantMail(t, mail.KindSecurityReportStatus, 3, "spammer@example.net", spam.ID, "rejected")
	if _, err := e.svc.Acknowledge(ctx, spam.ID); quire.ErrorCode(err) != quire.ECONFLICT {
		t.Fatalf("acknowledging a rejected report: %v", err)
	}
	e.wantMail(t, mail.KindSecurityReportStatus, 3, "spammer@example.net")
	for _, f := range e.mails(t, mail.KindSecurityReportStatus) {
		if b, _ := os.ReadFile(f); strings.Contains(string(b), "qcanary") {
			t.Errorf("%s carries the report's content", filepath.Base(f))
		}
	}
}

func itoa(i int) string { return string(rune('0' + i)) }
