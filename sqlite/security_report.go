package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// Table and fields of the vulnerability reports, bound into their
// ciphertexts as associated data.
const (
	tableSecurityReports = "security_reports"
	fieldDetails         = "details"
)

// systemScope is the scope of every row of a system table, whatever its ID.
func systemScope(string) barrier.Scope { return barrier.SystemScope }

// SecurityReportService stores vulnerability reports (claim VDP-1), the
// reporter's address, title and details sealed under the system scope.
type SecurityReportService struct {
	db *DB
	b  *barrier.Barrier
}

// NewSecurityReportService returns a SecurityReportService on db that
// encrypts through b.
func NewSecurityReportService(db *DB, b *barrier.Barrier) *SecurityReportService {
	return &SecurityReportService{db: db, b: b}
}

var _ quire.SecurityReportService = (*SecurityReportService)(nil)

// reportMeta are the columns of a report that are not its content.
const reportMeta = "id, status, received_at, ack_due, acknowledged_at, closed_at, reminded_at"

// CreateSecurityReport implements quire.SecurityReportService.
func (s *SecurityReportService) CreateSecurityReport(ctx context.Context, r *quire.SecurityReport) error {
	if err := r.Validate(); err != nil {
		return err
	}
	id := quire.NewID()
	received, due := r.Times(now())
	var cts [3][]byte
	for i, f := range []struct{ field, value string }{{fieldEmail, r.Email}, {fieldTitle, r.Title}, {fieldDetails, r.Details}} {
		ct, err := seal(ctx, s.b, barrier.SystemScope, tableSecurityReports, id, f.field, f.value)
		if err != nil {
			return err
		}
		cts[i] = ct
	}
	_, err := s.db.writer.ExecContext(ctx, `INSERT INTO security_reports
		(id, email_enc, title_enc, details_enc, status, received_at, ack_due) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, cts[0], cts[1], cts[2], string(quire.SecurityReportNew), formatTime(received), formatTime(due))
	if err != nil {
		return internal("create security report", err)
	}
	r.ID, r.Status, r.ReceivedAt, r.AckDue = id, quire.SecurityReportNew, received, due
	r.AcknowledgedAt, r.ClosedAt, r.RemindedAt = time.Time{}, time.Time{}, time.Time{}
	return nil
}

// FindSecurityReportByID implements quire.SecurityReportService.
func (s *SecurityReportService) FindSecurityReportByID(ctx context.Context, id string) (*quire.SecurityReport, error) {
	var email, title, details []byte
	var meta reportTimes
	err := s.db.reader.QueryRowContext(ctx, "SELECT "+reportMeta+", email_enc, title_enc, details_enc FROM security_reports WHERE id = ?", id).
		Scan(append(meta.dest(), &email, &title, &details)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, quire.ErrSecurityReportNotFound()
	} else if err != nil {
		return nil, internal("find security report", err)
	}
	r, err := meta.report()
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		field string
		ct    []byte
		dst   *string
	}{{fieldEmail, email, &r.Email}, {fieldTitle, title, &r.Title}, {fieldDetails, details, &r.Details}} {
		if *f.dst, err = unseal(ctx, s.b, barrier.SystemScope, tableSecurityReports, r.ID, f.field, f.ct); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// reportWhere returns the WHERE clause (with its leading space, or "") and
// arguments that select what f selects.
func reportWhere(f quire.SecurityReportFilter) (string, []any) {
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if !f.DueBy.IsZero() {
		where, args = append(where, "ack_due <= ?"), append(args, formatTime(f.DueBy))
	}
	if !f.RemindedBefore.IsZero() {
		where, args = append(where, "(reminded_at IS NULL OR reminded_at <= ?)"), append(args, formatTime(f.RemindedBefore))
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// FindSecurityReports implements quire.SecurityReportService. It reads no
// ciphertext at all.
func (s *SecurityReportService) FindSecurityReports(ctx context.Context, f quire.SecurityReportFilter) ([]*quire.SecurityReport, error) {
	where, args := reportWhere(f)
	order := " ORDER BY received_at DESC, id"
	if f.OldestDueFirst {
		order = " ORDER BY ack_due, id"
	}
	limit := f.Limit
	if limit <= 0 || limit > quire.MaxSecurityReportList {
		limit = quire.MaxSecurityReportList
	}
	rows, err := s.db.reader.QueryContext(ctx, "SELECT "+reportMeta+" FROM security_reports"+where+order+" LIMIT ? OFFSET ?",
		append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, internal("list security reports", err)
	}
	defer rows.Close()
	var out []*quire.SecurityReport
	for rows.Next() {
		var meta reportTimes
		if err := rows.Scan(meta.dest()...); err != nil {
			return nil, internal("list security reports", err)
		}
		r, err := meta.report()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("list security reports", err)
	}
	return out, nil
}

// CountSecurityReports implements quire.SecurityReportService.
func (s *SecurityReportService) CountSecurityReports(ctx context.Context, f quire.SecurityReportFilter) (int, error) {
	where, args := reportWhere(f)
	var n int
	if err := s.db.reader.QueryRowContext(ctx, "SELECT count(*) FROM security_reports"+where, args...).Scan(&n); err != nil {
		return 0, internal("count security reports", err)
	}
	return n, nil
}

// SetSecurityReportStatus implements quire.SecurityReportService. The
// check of the current status and the change are one conditional update.
func (s *SecurityReportService) SetSecurityReportStatus(ctx context.Context, id string, status quire.SecurityReportStatus, at time.Time) (*quire.SecurityReport, error) {
	if err := quire.ValidSecurityReportTarget(status); err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = now()
	}
	when := formatTime(at)
	set := "status = ?, acknowledged_at = ?"
	args := []any{string(status), when}
	if status.Closed() {
		set = "status = ?, acknowledged_at = coalesce(acknowledged_at, ?), closed_at = ?"
		args = append(args, when)
	}
	from := status.From()
	args = append(args, id)
	marks := make([]string, len(from))
	for i, st := range from {
		marks[i] = "?"
		args = append(args, string(st))
	}
	var r *quire.SecurityReport
	err := s.db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE security_reports SET "+set+" WHERE id = ? AND status IN ("+strings.Join(marks, ", ")+")", args...)
		if err != nil {
			return internal("set security report status", err)
		}
		var meta reportTimes
		err = tx.QueryRowContext(ctx, "SELECT "+reportMeta+" FROM security_reports WHERE id = ?", id).Scan(meta.dest()...)
		if errors.Is(err, sql.ErrNoRows) {
			return quire.ErrSecurityReportNotFound()
		} else if err != nil {
			return internal("read security report", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return internal("set security report status", err)
		} else if n == 0 {
			return quire.Errorf(quire.ECONFLICT, "The report is %s: it cannot be marked %s.", meta.status, status)
		}
		r, err = meta.report()
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// MarkSecurityReportReminded implements quire.SecurityReportService.
func (s *SecurityReportService) MarkSecurityReportReminded(ctx context.Context, id string, at, lastBefore time.Time) (bool, error) {
	if at.IsZero() {
		at = now()
	}
	res, err := s.db.writer.ExecContext(ctx, `UPDATE security_reports SET reminded_at = ?
		WHERE id = ? AND status = ? AND (reminded_at IS NULL OR reminded_at <= ?)`,
		formatTime(at), id, string(quire.SecurityReportNew), formatTime(lastBefore))
	if err != nil {
		return false, internal("mark security report reminded", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, internal("mark security report reminded", err)
	}
	return n == 1, nil
}

// UnmarkSecurityReportReminded implements quire.SecurityReportService.
func (s *SecurityReportService) UnmarkSecurityReportReminded(ctx context.Context, id string, at, prev time.Time) error {
	var back any
	if !prev.IsZero() {
		back = formatTime(prev)
	}
	_, err := s.db.writer.ExecContext(ctx, "UPDATE security_reports SET reminded_at = ? WHERE id = ? AND reminded_at = ?",
		back, id, formatTime(at))
	return internalIf("unmark security report reminded", err)
}

// reportTimes is a report's row without its content, as scanned.
type reportTimes struct {
	id, status, received, due string
	acked, closed, reminded   sql.NullString
}

// dest returns the scan destinations of reportMeta's columns.
func (m *reportTimes) dest() []any {
	return []any{&m.id, &m.status, &m.received, &m.due, &m.acked, &m.closed, &m.reminded}
}

// report returns the scanned row as a report without content.
func (m *reportTimes) report() (*quire.SecurityReport, error) {
	r := &quire.SecurityReport{ID: m.id, Status: quire.SecurityReportStatus(m.status)}
	var err error
	if r.ReceivedAt, err = parseTime(m.received); err != nil {
		return nil, internal("read security report", err)
	}
	if r.AckDue, err = parseTime(m.due); err != nil {
		return nil, internal("read security report", err)
	}
	for _, t := range []struct {
		v   sql.NullString
		dst *time.Time
	}{{m.acked, &r.AcknowledgedAt}, {m.closed, &r.ClosedAt}, {m.reminded, &r.RemindedAt}} {
		if !t.v.Valid {
			continue
		}
		if *t.dst, err = parseTime(t.v.String); err != nil {
			return nil, internal("read security report", err)
		}
	}
	return r, nil
}
