package disclosure_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/disclosure"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/internal/fakeclock"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/sqlite"
)

// syncBuffer is a log sink safe for the background scan.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is a Service over a real SQLite store, writing its email to a
// development outbox, on a manual clock.
type env struct {
	svc     *disclosure.Service
	reports quire.SecurityReportService
	clock   *fakeclock.Clock
	outbox  string
	logs    *syncBuffer
}

// newEnv builds an env; operator is disclosure.operator_email ("" for none).
func newEnv(t *testing.T, operator string) *env {
	t.Helper()
	db, b, dir := authtest.SQLite(t)
	e := &env{reports: sqlite.NewSecurityReportService(db, b), clock: fakeclock.New(),
		outbox: filepath.Join(dir, "outbox"), logs: &syncBuffer{}}
	logger := slog.New(slog.NewJSONHandler(e.logs, nil))
	var err error
	e.svc, err = disclosure.New(disclosure.Config{Reports: e.reports, Mail: &mail.Outbox{Dir: e.outbox, Logger: logger},
		OperatorEmail: operator, Logger: logger, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// mails returns the .eml files of kind in the outbox, oldest first.
func (e *env) mails(t *testing.T, kind string) []string {
	t.Helper()
	return authtest.Files(t, e.outbox, kind)
}

// wantMail fails unless the outbox holds n messages of kind, the newest
// addressed to to and mentioning each of parts.
func (e *env) wantMail(t *testing.T, kind string, n int, to string, parts ...string) {
	t.Helper()
	files := e.mails(t, kind)
	if len(files) != n {
		t.Fatalf("%d %s emails, want %d", len(files), kind, n)
	}
	if n == 0 {
		return
	}
	b, err := os.ReadFile(files[n-1])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "To: <"+to+">") && !strings.Contains(string(b), "To: "+to) {
		t.Errorf("%s email is not addressed to %s:\n%s", kind, to, b)
	}
	for _, p := range parts {
		if !strings.Contains(string(b), p) {
			t.Errorf("%s email lacks %q", kind, p)
		}
	}
}

func (e *env) submit(t *testing.T, email, title string) *quire.SecurityReport {
	t.Helper()
	r, err := e.svc.Submit(context.Background(), disclosure.Submission{Email: email, Title: title, Details: "details of " + title})
	if err != nil {
		t.Fatal(err)
	}
	return r.SecurityReport
}

func TestSubmitStoresAndSendsReceiptAndAlert(t *testing.T) {
	e := newEnv(t, "ops@example.com")
	title, details := "qcanary-title-7f3a", "qcanary-details-91bc"
	r, err := e.svc.Submit(context.Background(), disclosure.Submission{Email: "  Reporter@Example.COM ", Title: "  " + title + " ", Details: details})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != quire.SecurityReportNew || !r.ReceivedAt.Equal(e.clock.Now()) || !r.AckDue.Equal(e.clock.Now().Add(48*time.Hour)) {
		t.Fatalf("submitted %+v", r)
	}
	got, err := e.svc.Get(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "reporter@example.com" || got.Title != title || got.Details != details {
		t.Fatalf("stored %q / %q / %q", got.Email, got.Title, got.Details)
	}
	e.wantMail(t, mail.KindSecurityReportReceived, 1, "reporter@example.com", r.ID)
	e.wantMail(t, mail.KindSecurityReportAlert, 1, "ops@example.com", r.ID)
	for _, f := range e.mails(t, "") {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte("qcanary")) {
			t.Errorf("an email carries the report's content: %s", filepath.Base(f))
		}
	}
	if strings.Contains(e.logs.String(), "qcanary") || strings.Contains(e.logs.String(), "reporter@") {
		t.Errorf("the log carries the report's content or the reporter:\n%s", e.logs.String())
	}
	if !strings.Contains(e.logs.String(), r.ID) {
		t.Errorf("the log does not name the report:\n%s", e.logs.String())
	}
}

func TestSubmitRefusesBadInput(t *testing.T) {
	e := newEnv(t, "")
	ok := disclosure.Submission{Email: "a@example.com", Title: "t", Details: "d"}
	for _, tt := range []struct {
		name string
		edit func(s *disclosure.Submission)
		code string
		msg  string
	}{
		{"no email", func(s *disclosure.Submission) { s.Email = " " }, quire.EFIELDREQUIRED, "Email"},
		{"no title", func(s *disclosure.Submission) { s.Title = "" }, quire.EFIELDREQUIRED, "Title"},
		{"no details", func(s *disclosure.Submission) { s.Details = "\n\t" }, quire.EFIELDREQUIRED, "Details"},
		{"long title", func(s *disclosure.Submission) { s.Title = strings.Repeat("x", 201) }, quire.EFIELDTOOLONG, "Title"},
		{"long details", func(s *disclosure.Submission) { s.Details = strings.Repeat("x", 20001) }, quire.EFIELDTOOLONG, "Details"},
		{"long email", func(s *disclosure.Submission) { s.Email = strings.Repeat("a", 250) + "@example.com" }, quire.EFIELDTOOLONG, "Email"},
		{"bad email", func(s *disclosure.Submission) { s.Email = "a@b@c" }, quire.EEMAILINVALID, "Email"},
		{"display name", func(s *disclosure.Submission) { s.Email = "Eve <eve@example.com>" }, quire.EEMAILINVALID, "Email"},
		{"header injection", func(s *disclosure.Submission) { s.Email = "a@example.com\r\nBcc: b@example.com" }, quire.EEMAILINVALID, "Email"},
		{"title on two lines", func(s *disclosure.Submission) { s.Title = "one\nStatus: resolved" }, quire.EINVALID, "Title"},
		{"title with an escape", func(s *disclosure.Submission) { s.Title = "t\x1b[2J" }, quire.EINVALID, "Title"},
		{"title with a line separator", func(s *disclosure.Submission) { s.Title = "one\u2028two" }, quire.EINVALID, "Title"},
		{"details long with LF", func(s *disclosure.Submission) { s.Details = strings.Repeat("abc\n", 5001) }, quire.EFIELDTOOLONG, "Details"},
	} {
		sub := ok
		tt.edit(&sub)
		if err := e.svc.Check(sub); quire.ErrorCode(err) != tt.code || !strings.HasPrefix(quire.ErrorMessage(err), tt.msg) {
			t.Errorf("%s: Check: %v, want %s naming %s", tt.name, err, tt.code, tt.msg)
		}
		if _, err := e.svc.Submit(context.Background(), sub); quire.ErrorCode(err) != tt.code {
			t.Errorf("%s: Submit: %v, want %s", tt.name, err, tt.code)
		}
	}
	list, err := e.svc.List(context.Background())
	if err != nil || len(list) != 0 || len(e.mails(t, "")) != 0 {
		t.Fatalf("refused reports left %d reports (%v) and %d emails", len(list), err, len(e.mails(t, "")))
	}
}

// TestReceiptsPerAddress caps the receipts one address gets a day, so that
// the intake cannot flood someone's inbox; the reports are still taken.
func TestReceiptsPerAddress(t *testing.T) {
	e := newEnv(t, "ops@example.com")
	for i := range disclosure.DefaultReceiptsPerAddress + 2 {
		e.submit(t, "victim@example.com", "r"+string(rune('a'+i)))
	}
	e.wantMail(t, mail.KindSecurityReportReceived, disclosure.DefaultReceiptsPerAddress, "victim@example.com")
	e.wantMail(t, mail.KindSecurityReportAlert, disclosure.DefaultReceiptsPerAddress+2, "ops@example.com")
	e.submit(t, "other@example.com", "other")
	e.wantMail(t, mail.KindSecurityReportReceived, disclosure.DefaultReceiptsPerAddress+1, "other@example.com")
	e.clock.Add(24 * time.Hour) // a new UTC day
	e.submit(t, "victim@example.com", "tomorrow")
	e.wantMail(t, mail.KindSecurityReportReceived, disclosure.DefaultReceiptsPerAddress+2, "victim@example.com")
}

// TestOverdueReminder moves the clock: a report still new 36 hours after it
// came in is reminded of once; one acknowledged in time is not.
func TestOverdueReminder(t *testing.T) {
	e := newEnv(t, "ops@example.com")
	ctx := context.Background()
	late := e.submit(t, "a@example.com", "late")
	answered := e.submit(t, "b@example.com", "answered")
	e.clock.Add(2 * time.Hour)
	if _, err := e.svc.Acknowledge(ctx, answered.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(33*time.Hour + 59*time.Minute) // 35h59m after the reports
	if n, err := e.svc.ScanOverdue(ctx); n != 0 || err != nil {
		t.Fatalf("scan before 36 hours sent %d (%v)", n, err)
	}
	e.clock.Add(time.Minute)
	if n, err := e.svc.ScanOverdue(ctx); n != 1 || err != nil {
		t.Fatalf("scan at 36 hours sent %d (%v), want 1", n, err)
	}
	e.wantMail(t, mail.KindSecurityReportOverdue, 1, "ops@example.com", late.ID)
	if n, _ := e.svc.ScanOverdue(ctx); n != 0 {
		t.Fatalf("a second scan reminded again (%d)", n)
	}
	if over, err := e.svc.Overdue(ctx); err != nil || len(over) != 0 {
		t.Fatalf("overdue before the deadline: %d (%v)", len(over), err)
	}
	e.clock.Add(12 * time.Hour)
	over, err := e.svc.Overdue(ctx)
	if err != nil || len(over) != 1 || over[0].ID != late.ID {
		t.Fatalf("overdue at the deadline: %+v (%v)", over, err)
	}
	r, err := e.svc.Acknowledge(ctx, late.ID)
	if err != nil || !r.AcknowledgedAt.Equal(e.clock.Now()) || r.Overdue(e.clock.Now()) {
		t.Fatalf("late acknowledgement: %+v (%v)", r, err)
	}
	e.wantMail(t, mail.KindSecurityReportOverdue, 1, "ops@example.com")
}

// TestOverdueWithoutOperator logs the reminder, without the content, when
// no operator address is configured.
func TestOverdueWithoutOperator(t *testing.T) {
	e := newEnv(t, "")
	r := e.submit(t, "a@example.com", "qcanary-title")
	e.clock.Add(40 * time.Hour)
	if n, err := e.svc.ScanOverdue(context.Background()); n != 1 || err != nil {
		t.Fatalf("scan sent %d (%v)", n, err)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "security report still unacknowledged") || !strings.Contains(logs, r.ID) || strings.Contains(logs, "qcanary") {
		t.Fatalf("log:\n%s", logs)
	}
	if len(e.mails(t, mail.KindSecurityReportAlert)) != 0 || len(e.mails(t, mail.KindSecurityReportOverdue)) != 0 {
		t.Fatal("an operator email went out with no operator configured")
	}
	e.wantMail(t, mail.KindSecurityReportReceived, 1, "a@example.com")
}

func TestStatusChanges(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	r := e.submit(t, "a@example.com", "x")
	if _, err := e.svc.Resolve(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Acknowledge(ctx, r.ID); quire.ErrorCode(err) != quire.ECONFLICT {
		t.Fatalf("acknowledging a resolved report: %v", err)
	}
	spam := e.submit(t, "b@example.com", "y")
	got, err := e.svc.Reject(ctx, spam.ID)
	if err != nil || got.Status != quire.SecurityReportRejected || got.ClosedAt.IsZero() {
		t.Fatalf("reject: %+v (%v)", got, err)
	}
	for _, id := range []string{"", "nope", quire.NewID(), "../" + r.ID} {
		if _, err := e.svc.Acknowledge(ctx, id); quire.ErrorCode(err) != quire.ENOTFOUND {
			t.Errorf("acknowledge %q: %v", id, err)
		}
		if _, err := e.svc.Get(ctx, id); quire.ErrorCode(err) != quire.ENOTFOUND {
			t.Errorf("get %q: %v", id, err)
		}
	}
}

// TestRunScansUntilCancelled checks that the background job scans at once
// and stops with its context.
func TestRunScansUntilCancelled(t *testing.T) {
	e := newEnv(t, "ops@example.com")
	e.submit(t, "a@example.com", "x")
	e.clock.Add(37 * time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.svc.Run(ctx, time.Hour) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(e.mails(t, mail.KindSecurityReportOverdue)) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop with its context")
	}
	e.wantMail(t, mail.KindSecurityReportOverdue, 1, "ops@example.com")
}

// TestSubmitNormalisesLineEnds counts a form's CRLF line ends once: the
// details are stored with LF, and the limit applies to what is stored.
func TestSubmitNormalisesLineEnds(t *testing.T) {
	e := newEnv(t, "")
	details := strings.Repeat("abc\r\n", 4500) + "end\rlast" // 22,508 characters sent, 18,008 stored
	r, err := e.svc.Submit(context.Background(), disclosure.Submission{Email: "a@example.com", Title: " t\n", Details: details})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Get(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat("abc\n", 4500) + "end\nlast"; got.Details != want || got.Title != "t" {
		t.Fatalf("stored title %q and details of %d bytes (CR: %t)", got.Title, len(got.Details), strings.Contains(got.Details, "\r"))
	}
}
