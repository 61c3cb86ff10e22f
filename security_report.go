package quire

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Error codes of a vulnerability report that is well formed but refused
// (claim VDP-1). They name the field in their message; the HTTP layer
// answers each with 422.
const (
	// EFIELDREQUIRED is a required field left empty.
	EFIELDREQUIRED = "field_required"
	// EFIELDTOOLONG is a field longer than its limit.
	EFIELDTOOLONG = "field_too_long"
	// EEMAILINVALID is an email field that is not one plain address.
	EEMAILINVALID = "email_invalid"
)

// SecurityReportStatus is where a vulnerability report stands: new until
// an operator acknowledges it, then resolved or rejected.
type SecurityReportStatus string

// Statuses of a vulnerability report.
const (
	SecurityReportNew          SecurityReportStatus = "new"
	SecurityReportAcknowledged SecurityReportStatus = "acknowledged"
	SecurityReportResolved     SecurityReportStatus = "resolved"
	SecurityReportRejected     SecurityReportStatus = "rejected"
)

// Valid reports whether s is a known status.
func (s SecurityReportStatus) Valid() bool {
	switch s {
	case SecurityReportNew, SecurityReportAcknowledged, SecurityReportResolved, SecurityReportRejected:
		return true
	}
	return false
}

// From lists the statuses a report may move to s from: a new report is
// acknowledged, and a new or acknowledged one is resolved or rejected (an
// answer that closes it acknowledges it too). Nothing moves back to new,
// and a closed report stays closed.
func (s SecurityReportStatus) From() []SecurityReportStatus {
	switch s {
	case SecurityReportAcknowledged:
		return []SecurityReportStatus{SecurityReportNew}
	case SecurityReportResolved, SecurityReportRejected:
		return []SecurityReportStatus{SecurityReportNew, SecurityReportAcknowledged}
	}
	return nil
}

// Closed reports whether s ends a report's life.
func (s SecurityReportStatus) Closed() bool {
	return s == SecurityReportResolved || s == SecurityReportRejected
}

// SecurityReportAckWindow is how long after it arrives a report must be
// acknowledged: the 48 hours promised by claim VDP-1.
const SecurityReportAckWindow = 48 * time.Hour

// Limits of a report's fields: characters for the title and details,
// bytes for the address (the RFC 5321 path limit).
const (
	MaxSecurityReportTitle   = 200
	MaxSecurityReportDetails = 20_000
	MaxSecurityReportEmail   = 254
)

// SecurityReport is a vulnerability report sent through the intake. Email,
// Title and Details are the reporter's words: stores keep them encrypted
// under the system scope and decrypt them only for FindSecurityReportByID.
type SecurityReport struct {
	ID      string
	Email   string
	Title   string
	Details string
	Status  SecurityReportStatus
	// ReceivedAt is when the report came in, and AckDue when it must be
	// acknowledged by (ReceivedAt + SecurityReportAckWindow).
	ReceivedAt time.Time
	AckDue     time.Time
	// AcknowledgedAt is when it was acknowledged (or closed without a
	// separate acknowledgement); zero while new.
	AcknowledgedAt time.Time
	// ClosedAt is when it was resolved or rejected; zero before.
	ClosedAt time.Time
	// RemindedAt is when the operator was reminded that the deadline
	// nears; zero if no reminder went out.
	RemindedAt time.Time
}

// Overdue reports whether the report is still new at or after its
// acknowledgement deadline.
func (r *SecurityReport) Overdue(now time.Time) bool {
	return r.Status == SecurityReportNew && !now.Before(r.AckDue)
}

// Validate reports whether a new report's fields are acceptable: each is
// required, within its limit, valid text, Title is one line, and Email has
// the shape of one address. The error names the field and carries EFIELDREQUIRED,
// EFIELDTOOLONG or EEMAILINVALID (EINVALID for text that is not UTF-8).
func (r *SecurityReport) Validate() error {
	if err := ValidateReportTitle(r.Title); err != nil {
		return err
	}
	if err := ValidateReportText("Details", r.Details, MaxSecurityReportDetails); err != nil {
		return err
	}
	return ValidateReportEmail(r.Email)
}

// ValidateReportEmail checks the shape of a reporter's address: present,
// at most MaxSecurityReportEmail bytes, one local part and a domain, no
// space or control character. Callers normalise it first.
func ValidateReportEmail(email string) error {
	switch {
	case strings.TrimSpace(email) == "":
		return Errorf(EFIELDREQUIRED, "Email is required.")
	case len(email) > MaxSecurityReportEmail:
		return Errorf(EFIELDTOOLONG, "Email must be at most %d characters.", MaxSecurityReportEmail)
	case !utf8.ValidString(email) || strings.ContainsFunc(email, unicode.IsSpace) || strings.ContainsFunc(email, unicode.IsControl):
		return Errorf(EEMAILINVALID, "Email is not a valid address.")
	}
	at := strings.LastIndexByte(email, '@')
	if at < 1 || at == len(email)-1 {
		return Errorf(EEMAILINVALID, "Email is not a valid address.")
	}
	return nil
}

// ValidateReportTitle checks a report's title: a required text field of
// at most MaxSecurityReportTitle characters, on one line, without control
// characters (EINVALID): it is shown in listings and headers, where a line
// break or an escape sequence would pass for something else.
func ValidateReportTitle(title string) error {
	if err := ValidateReportText("Title", title, MaxSecurityReportTitle); err != nil {
		return err
	}
	if strings.ContainsFunc(title, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) {
		return Errorf(EINVALID, "Title must be one line, without control characters.")
	}
	return nil
}

// ValidateReportText checks one required text field of a report, named
// name, against its limit in characters.
func ValidateReportText(name, v string, limit int) error {
	switch {
	case !utf8.ValidString(v):
		return Errorf(EINVALID, "%s must be valid UTF-8 text.", name)
	case strings.TrimSpace(v) == "":
		return Errorf(EFIELDREQUIRED, "%s is required.", name)
	case utf8.RuneCountInString(v) > limit:
		return Errorf(EFIELDTOOLONG, "%s must be at most %d characters.", name, limit)
	}
	return nil
}

// SecurityReportFilter selects reports for FindSecurityReports and
// CountSecurityReports; zero fields select everything.
type SecurityReportFilter struct {
	// Status keeps the reports in this status.
	Status SecurityReportStatus
	// DueBy keeps the reports whose AckDue is at or before it.
	DueBy time.Time
	// RemindedBefore keeps the reports the operator was never reminded of,
	// or was last reminded of at or before it.
	RemindedBefore time.Time
	// OldestDueFirst orders the listing by AckDue, earliest first, so that
	// the most urgent reports are never cut off by Limit; the default is
	// newest first.
	OldestDueFirst bool
	// Limit caps the result; zero or more than MaxSecurityReportList means
	// MaxSecurityReportList. Offset skips that many reports first (paging).
	Limit, Offset int
}

// MaxSecurityReportList caps one listing of reports.
const MaxSecurityReportList = 1000

// SecurityReportService stores vulnerability reports. The reports belong
// to no tenant: they are the operator's, sealed under the system scope.
type SecurityReportService interface {
	// CreateSecurityReport validates and stores a new report, setting its
	// ID and Status (new). A zero ReceivedAt means now and a zero AckDue
	// ReceivedAt + SecurityReportAckWindow; the other times start zero.
	CreateSecurityReport(ctx context.Context, r *SecurityReport) error
	// FindSecurityReportByID returns a report with its content decrypted;
	// ENOTFOUND if there is none.
	FindSecurityReportByID(ctx context.Context, id string) (*SecurityReport, error)
	// FindSecurityReports lists reports, newest first (by deadline with
	// OldestDueFirst), without their
	// content (Email, Title and Details are left empty): a listing never
	// decrypts what reporters wrote.
	FindSecurityReports(ctx context.Context, f SecurityReportFilter) ([]*SecurityReport, error)
	// SetSecurityReportStatus moves a report to status at at, if status.From
	// allows it from where the report stands, and returns it without its
	// content. Acknowledged sets AcknowledgedAt; resolved and rejected set
	// ClosedAt, and AcknowledgedAt if it was unset. ENOTFOUND for no such
	// report, ECONFLICT for a move that is not allowed, EINVALID for a
	// status that is not a target.
	SetSecurityReportStatus(ctx context.Context, id string, status SecurityReportStatus, at time.Time) (*SecurityReport, error)
	// CountSecurityReports counts the reports f selects (Limit and Offset
	// aside).
	CountSecurityReports(ctx context.Context, f SecurityReportFilter) (int, error)
	// MarkSecurityReportReminded claims the reminder of a report at at: it
	// records at as the report's RemindedAt and reports true only to the
	// one call that recorded it, while the report was new and its
	// operator never reminded or last reminded at or before lastBefore, so
	// that instances scanning together send one reminder.
	MarkSecurityReportReminded(ctx context.Context, id string, at, lastBefore time.Time) (bool, error)
	// UnmarkSecurityReportReminded gives a claimed reminder back when it
	// could not be sent: RemindedAt returns to prev (zero: never
	// reminded), if it still is at, so that the next scan tries again.
	UnmarkSecurityReportReminded(ctx context.Context, id string, at, prev time.Time) error
}

// ErrSecurityReportNotFound is the error for a report that does not exist.
func ErrSecurityReportNotFound() error { return Errorf(ENOTFOUND, "Security report not found.") }

// ValidSecurityReportTarget checks that status is one a report can be moved to.
func ValidSecurityReportTarget(status SecurityReportStatus) error {
	if len(status.From()) == 0 {
		return Errorf(EINVALID, "A report cannot be moved to that status.")
	}
	return nil
}

// Times returns when a new report was received and when its
// acknowledgement is due, as a store records them: the given times to the
// microsecond in UTC, ReceivedAt defaulting to now and AckDue to
// ReceivedAt plus SecurityReportAckWindow.
func (r *SecurityReport) Times(now time.Time) (received, due time.Time) {
	received = r.ReceivedAt.UTC().Truncate(time.Microsecond)
	if received.IsZero() {
		received = now
	}
	due = r.AckDue.UTC().Truncate(time.Microsecond)
	if due.IsZero() {
		due = received.Add(SecurityReportAckWindow)
	}
	return received, due
}
