package disclosure_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/disclosure"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/internal/fakeclock"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/sqlite"
)

// flakyMail is a Sender that refuses every message while down, and
// otherwise writes it to an outbox.
type flakyMail struct {
	next mail.Sender
	down atomic.Bool
}

func (f *flakyMail) Send(ctx context.Context, m mail.Message) error {
	if f.down.Load() {
		return quire.Errorf(quire.EUNAVAILABLE, "The email could not be sent.")
	}
	return f.next.Send(ctx, m)
}

// newFlakyEnv is an env whose mail can be taken down.
func newFlakyEnv(t *testing.T) (*env, *flakyMail) {
	t.Helper()
	db, b, dir := authtest.SQLite(t)
	e := &env{reports: sqlite.NewSecurityReportService(db, b), clock: fakeclock.New(),
		outbox: filepath.Join(dir, "outbox"), logs: &syncBuffer{}}
	fm := &flakyMail{next: &mail.Outbox{Dir: e.outbox}}
	var err error
	e.svc, err = disclosure.New(disclosure.Config{Reports: e.reports, Mail: fm, OperatorEmail: "ops@example.com", Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return e, fm
}

// TestOverdueReminderRetriedAfterFailedSend takes the mail down during a
// scan: the reminder is not counted, its claim is given back, and the next
// scan sends it.
func TestOverdueReminderRetriedAfterFailedSend(t *testing.T) {
	e, fm := newFlakyEnv(t)
	ctx := context.Background()
	r := e.submit(t, "a@example.com", "late")
	e.clock.Add(37 * time.Hour)
	fm.down.Store(true)
	n, err := e.svc.ScanOverdue(ctx)
	if n != 0 || quire.ErrorCode(err) != quire.EUNAVAILABLE {
		t.Fatalf("scan with the mail down: %d reminders (%v), want 0 and the send error", n, err)
	}
	got, err := e.svc.Get(ctx, r.ID)
	if err != nil || !got.RemindedAt.IsZero() {
		t.Fatalf("a failed reminder left RemindedAt %v (%v)", got.RemindedAt, err)
	}
	fm.down.Store(false)
	e.clock.Add(time.Minute)
	if n, err := e.svc.ScanOverdue(ctx); n != 1 || err != nil {
		t.Fatalf("scan with the mail back: %d (%v), want 1", n, err)
	}
	e.wantMail(t, mail.KindSecurityReportOverdue, 1, "ops@example.com", r.ID)
}

// TestOverdueRemindersRepeat reminds the operator again every 12 hours
// while a report stays unacknowledged, and no more once it is.
func TestOverdueRemindersRepeat(t *testing.T) {
	e, fm := newFlakyEnv(t)
	ctx := context.Background()
	r := e.submit(t, "a@example.com", "late")
	scan := func(want int) {
		t.Helper()
		if n, err := e.svc.ScanOverdue(ctx); n != want || err != nil {
			t.Fatalf("scan at %v after the report: %d (%v), want %d", e.clock.Now().Sub(r.ReceivedAt), n, err, want)
		}
	}
	e.clock.Add(36 * time.Hour)
	scan(1)
	e.clock.Add(12*time.Hour - time.Minute)
	scan(0)
	e.clock.Add(time.Minute) // the deadline, 12 hours after the first
	scan(1)
	e.clock.Add(12 * time.Hour)
	fm.down.Store(true)
	if _, err := e.svc.ScanOverdue(ctx); err == nil {
		t.Fatal("a failed reminder was not reported")
	}
	fm.down.Store(false)
	scan(1) // the failed third one, at once
	e.wantMail(t, mail.KindSecurityReportOverdue, 3, "ops@example.com", r.ID)
	if _, err := e.svc.Acknowledge(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(24 * time.Hour)
	scan(0)
}

// TestOverdueBehindManyNewer keeps an overdue report visible behind more
// than a listing's worth of newer ones.
func TestOverdueBehindManyNewer(t *testing.T) {
	e, _ := newFlakyEnv(t)
	ctx := context.Background()
	late := &quire.SecurityReport{Email: "a@example.com", Title: "late", Details: "d", ReceivedAt: e.clock.Now().Add(-72 * time.Hour)}
	if err := e.reports.CreateSecurityReport(ctx, late); err != nil {
		t.Fatal(err)
	}
	for i := range quire.MaxSecurityReportList + 5 {
		r := &quire.SecurityReport{Email: "b@example.com", Title: "t", Details: "d", ReceivedAt: e.clock.Now().Add(-time.Duration(i) * time.Second)}
		if err := e.reports.CreateSecurityReport(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	over, err := e.svc.Overdue(ctx)
	if err != nil || len(over) != 1 || over[0].ID != late.ID {
		t.Fatalf("overdue: %d (%v), want the late report", len(over), err)
	}
	if n, err := e.svc.CountOverdue(ctx); n != 1 || err != nil {
		t.Fatalf("CountOverdue = %d (%v)", n, err)
	}
	if n, err := e.svc.ScanOverdue(ctx); n != 1 || err != nil {
		t.Fatalf("scan: %d (%v), want the late report's reminder", n, err)
	}
	e.wantMail(t, mail.KindSecurityReportOverdue, 1, "ops@example.com", late.ID)
}
