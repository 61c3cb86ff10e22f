package disclosure

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/edge/ratelimit"
	"github.com/quirehq/quire/mail"
)

// Config configures a Service.
type Config struct {
	// Reports stores the reports; required.
	Reports quire.SecurityReportService
	// Mail sends the receipts, alerts and reminders; nil sends none (each
	// is then logged, without content).
	Mail mail.Sender
	// OperatorEmail receives the alerts and reminders; "" logs them only.
	OperatorEmail string
	// Txt is what security.txt says.
	Txt TxtConfig
	// ReportsPerHour is how many reports one client address may send per
	// hour; the HTTP layer enforces it. Zero means DefaultReportsPerHour.
	ReportsPerHour int
	// RemindBefore is how long before its deadline the operator is
	// reminded of a report still new; zero means DefaultRemindBefore (the
	// reminder then goes out 36 hours after the report came in).
	RemindBefore time.Duration
	// ReceiptsPerAddress caps the receipts one mailbox gets a day, so
	// that the intake cannot be used to flood someone's inbox; zero means
	// DefaultReceiptsPerAddress. ReceiptsPerDomain caps those of one
	// domain a day (DefaultReceiptsPerDomain), ReceiptsPerHour those of
	// all addresses an hour (DefaultReceiptsPerHour).
	ReceiptsPerAddress, ReceiptsPerDomain, ReceiptsPerHour int
	// ReportsGlobalPerHour caps the reports taken an hour from all client
	// addresses together; zero means DefaultReportsGlobalPerHour.
	ReportsGlobalPerHour int
	// AlertsPerHour caps the operator's alerts an hour, one per report;
	// the reports past it are told in one digest an hour. Zero means
	// DefaultAlertsPerHour.
	AlertsPerHour int
	// Limiter holds the global budgets above. Give the shared (Redis)
	// limiter so that instances share them; nil means an in-process one.
	Limiter ratelimit.Limiter
	// Logger receives what happened to each report (IDs and times only);
	// nil discards.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Defaults of Config's zero values.
const (
	DefaultReportsPerHour     = 5
	DefaultRemindBefore       = 12 * time.Hour
	DefaultReceiptsPerAddress = 3
)

// Service takes vulnerability reports in and tracks them to an answer.
type Service struct {
	cfg Config
	log *slog.Logger
	lim ratelimit.Limiter

	mu sync.Mutex
	// held counts the reports whose alerts wait for the digest, the first
	// of them received at heldSince.
	held      int
	heldSince time.Time
}

// New returns a Service for cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Reports == nil {
		return nil, errors.New("disclosure: no report store")
	}
	if cfg.ReportsPerHour <= 0 {
		cfg.ReportsPerHour = DefaultReportsPerHour
	}
	if cfg.RemindBefore <= 0 {
		cfg.RemindBefore = DefaultRemindBefore
	}
	if cfg.RemindBefore >= quire.SecurityReportAckWindow {
		return nil, errors.New("disclosure: the reminder must come before the deadline and after the report")
	}
	for _, d := range []struct {
		v   *int
		def int
	}{{&cfg.ReceiptsPerAddress, DefaultReceiptsPerAddress}, {&cfg.ReceiptsPerDomain, DefaultReceiptsPerDomain},
		{&cfg.ReceiptsPerHour, DefaultReceiptsPerHour}, {&cfg.ReportsGlobalPerHour, DefaultReportsGlobalPerHour},
		{&cfg.AlertsPerHour, DefaultAlertsPerHour}} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	lim := cfg.Limiter
	if lim == nil {
		lim = ratelimit.NewMemory(ratelimit.MemoryOptions{Capacity: limiterCapacity, Clock: cfg.Now})
	}
	return &Service{cfg: cfg, log: log, lim: lim}, nil
}

// ReportsPerHour is how many reports one client address may send per hour.
func (s *Service) ReportsPerHour() int { return s.cfg.ReportsPerHour }

// SecurityTxt returns security.txt for the public base URL base, with
// Expires counted from now.
func (s *Service) SecurityTxt(base string) []byte { return s.cfg.Txt.Render(base, s.cfg.Now()) }

// Submission is a report as a reporter sends it.
type Submission struct {
	Email   string
	Title   string
	Details string
}

// Submitted is a report as Submit stored it, and whether the reporter's
// receipt was queued.
type Submitted struct {
	*quire.SecurityReport
	// ReceiptSent is true when the receipt was queued for delivery; false
	// when a receipt budget was spent or the email could not be queued.
	ReceiptSent bool
}

// Submit validates and stores a report, sends the reporter a receipt and
// the operator an alert, and returns the stored report. A refused field
// is EFIELDREQUIRED, EFIELDTOOLONG or EEMAILINVALID, naming the field;
// ERATELIMITED when the intake's hourly budget is spent. An email that
// cannot be sent is logged; the report is kept all the same.
func (s *Service) Submit(ctx context.Context, sub Submission) (*Submitted, error) {
	r, err := prepare(sub)
	if err != nil {
		return nil, err
	}
	if err := s.admit(ctx); err != nil {
		return nil, err
	}
	r.ReceivedAt = s.cfg.Now().UTC()
	r.AckDue = r.ReceivedAt.Add(quire.SecurityReportAckWindow)
	if err := s.cfg.Reports.CreateSecurityReport(ctx, r); err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "security report received", "report_id", r.ID, "ack_due", r.AckDue)
	out := &Submitted{SecurityReport: r}
	if s.receiptAllowed(ctx, r.Email) {
		err := s.send(ctx, mail.SecurityReportReceived(r.Email, r.ID, r.ReceivedAt, r.AckDue), "receipt", r.ID)
		out.ReceiptSent = err == nil && s.cfg.Mail != nil
	} else {
		s.log.WarnContext(ctx, "security report receipt not sent: a receipt budget is spent", "report_id", r.ID)
	}
	s.alertNew(ctx, r)
	return out, nil
}

// Check validates sub as Submit does, storing and sending nothing, so that
// a caller can refuse bad input before it spends a client's budget.
func (s *Service) Check(sub Submission) error {
	_, err := prepare(sub)
	return err
}

// prepare returns the report sub makes, normalised and validated: the
// address as accounts store theirs, the title without surrounding space,
// the details with LF line ends (a form sends CRLF, which would count
// twice against the limit).
func prepare(sub Submission) (*quire.SecurityReport, error) {
	sub.Title = strings.TrimSpace(sub.Title)
	sub.Details = strings.ReplaceAll(strings.ReplaceAll(sub.Details, "\r\n", "\n"), "\r", "\n")
	if err := quire.ValidateReportTitle(sub.Title); err != nil {
		return nil, err
	}
	if err := quire.ValidateReportText("Details", sub.Details, quire.MaxSecurityReportDetails); err != nil {
		return nil, err
	}
	email, err := normaliseEmail(sub.Email)
	if err != nil {
		return nil, err
	}
	r := &quire.SecurityReport{Email: email, Title: sub.Title, Details: sub.Details}
	return r, r.Validate()
}

// normaliseEmail returns the reporter's address as accounts store theirs,
// or the precise error for it.
func normaliseEmail(email string) (string, error) {
	trimmed := strings.TrimSpace(email)
	switch {
	case trimmed == "":
		return "", quire.Errorf(quire.EFIELDREQUIRED, "Email is required.")
	case len(trimmed) > quire.MaxSecurityReportEmail:
		return "", quire.Errorf(quire.EFIELDTOOLONG, "Email must be at most %d characters.", quire.MaxSecurityReportEmail)
	}
	n, err := auth.NormaliseEmail(trimmed)
	if err != nil {
		return "", quire.Errorf(quire.EEMAILINVALID, "Email is not a valid address.")
	}
	return n, nil
}

// alert tells the operator about r by email, or logs it when no operator
// address is configured. The error is that of an email that could not be
// queued.
func (s *Service) alert(ctx context.Context, build func(to, ref string, received, due time.Time) mail.Message, what string, r *quire.SecurityReport) error {
	if s.cfg.OperatorEmail == "" {
		s.log.WarnContext(ctx, what+"; set disclosure.operator_email to be told by email", "report_id", r.ID,
			"received_at", r.ReceivedAt, "ack_due", r.AckDue)
		return nil
	}
	return s.send(ctx, build(s.cfg.OperatorEmail, r.ID, r.ReceivedAt, r.AckDue), what, r.ID)
}

// send sends m, logging (without the recipient) when it cannot, and
// returns the error of a message that could not be sent. Without a
// mailer, the warning in the log is all there is, and not an error.
func (s *Service) send(ctx context.Context, m mail.Message, what, id string) error {
	if s.cfg.Mail == nil {
		s.log.WarnContext(ctx, "no mail configured: "+what+" not sent", "report_id", id)
		return nil
	}
	if err := s.cfg.Mail.Send(ctx, m); err != nil {
		s.log.ErrorContext(ctx, what+": email not sent", "report_id", id, "kind", m.Kind, "err", err)
		return err
	}
	return nil
}

// List returns the reports, newest first, without their content, up to
// quire.MaxSecurityReportList of them.
func (s *Service) List(ctx context.Context) ([]*quire.SecurityReport, error) {
	return s.cfg.Reports.FindSecurityReports(ctx, quire.SecurityReportFilter{})
}

// ListPage returns up to limit reports, newest first, after skipping
// offset of them, without their content.
func (s *Service) ListPage(ctx context.Context, offset, limit int) ([]*quire.SecurityReport, error) {
	return s.cfg.Reports.FindSecurityReports(ctx, quire.SecurityReportFilter{Offset: offset, Limit: limit})
}

// Get returns one report with its content, for the operator.
func (s *Service) Get(ctx context.Context, id string) (*quire.SecurityReport, error) {
	if !quire.ValidID(id) {
		return nil, quire.ErrSecurityReportNotFound()
	}
	return s.cfg.Reports.FindSecurityReportByID(ctx, id)
}

// Acknowledge marks a new report acknowledged, now.
func (s *Service) Acknowledge(ctx context.Context, id string) (*quire.SecurityReport, error) {
	return s.move(ctx, id, quire.SecurityReportAcknowledged)
}

// Resolve marks a report resolved, now (acknowledging it if it was new).
func (s *Service) Resolve(ctx context.Context, id string) (*quire.SecurityReport, error) {
	return s.move(ctx, id, quire.SecurityReportResolved)
}

// Reject marks a report rejected (not a vulnerability, or spam), now.
func (s *Service) Reject(ctx context.Context, id string) (*quire.SecurityReport, error) {
	return s.move(ctx, id, quire.SecurityReportRejected)
}

// move changes a report's status, logs it, and tells the reporter.
func (s *Service) move(ctx context.Context, id string, to quire.SecurityReportStatus) (*quire.SecurityReport, error) {
	if !quire.ValidID(id) {
		return nil, quire.ErrSecurityReportNotFound()
	}
	r, err := s.cfg.Reports.SetSecurityReportStatus(ctx, id, to, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "security report "+string(to), "report_id", r.ID, "late", r.AcknowledgedAt.After(r.AckDue))
	s.tellReporter(ctx, r)
	return r, nil
}

// tellReporter emails the reporter of r its new status: its reference,
// status and the time, nothing of what was reported. The address is the
// only content decrypted. A failure is logged: the move stands.
func (s *Service) tellReporter(ctx context.Context, r *quire.SecurityReport) {
	at := r.AcknowledgedAt
	if r.Status.Closed() {
		at = r.ClosedAt
	}
	full, err := s.cfg.Reports.FindSecurityReportByID(ctx, r.ID)
	if err != nil {
		s.log.ErrorContext(ctx, "security report status: the reporter's address could not be read", "report_id", r.ID, "err", err)
		return
	}
	_ = s.send(ctx, mail.SecurityReportStatus(full.Email, r.ID, string(r.Status), at), "status to the reporter", r.ID) // logged
}
