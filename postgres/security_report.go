package postgres

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// securityReportsEnc are the encrypted columns of a vulnerability report,
// sealed under the system scope.
var securityReportsEnc = encrypted{"security_reports", []string{"email", "title", "details"},
	[]string{"email_enc", "title_enc", "details_enc"}, ""}

// SecurityReportService stores vulnerability reports (claim VDP-1), the
// reporter's address, title and details sealed under the system scope.
// The table belongs to no tenant, like users: no row-level security.
type SecurityReportService struct {
	db *DB
	b  *barrier.Barrier
}

// NewSecurityReportService returns a security report service over db that
// encrypts with b.
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
	values := []string{r.Email, r.Title, r.Details}
	cts := make([][]byte, len(values))
	for i, v := range values {
		ct, err := s.b.Encrypt(ctx, barrier.SystemScope, barrier.AD(securityReportsEnc.table, id, securityReportsEnc.fields[i]), []byte(v))
		if err != nil {
			return internal("encrypt security report", err)
		}
		cts[i] = ct
	}
	_, err := s.db.pool.Exec(ctx, `INSERT INTO security_reports (id, email_enc, title_enc, details_enc, status, received_at, ack_due)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, cts[0], cts[1], cts[2], string(quire.SecurityReportNew), received, due)
	if err != nil {
		return internal("create security report", err)
	}
	r.ID, r.Status, r.ReceivedAt, r.AckDue = id, quire.SecurityReportNew, received, due
	r.AcknowledgedAt, r.ClosedAt, r.RemindedAt = time.Time{}, time.Time{}, time.Time{}
	return nil
}

// FindSecurityReportByID implements quire.SecurityReportService.
func (s *SecurityReportService) FindSecurityReportByID(ctx context.Context, id string) (*quire.SecurityReport, error) {
	var meta reportRow
	cts := make([][]byte, 3)
	err := s.db.pool.QueryRow(ctx, "SELECT "+reportMeta+", email_enc, title_enc, details_enc FROM security_reports WHERE id = $1", id).
		Scan(append(meta.dest(), &cts[0], &cts[1], &cts[2])...)
	if notFound(err) {
		return nil, quire.ErrSecurityReportNotFound()
	} else if err != nil {
		return nil, internal("find security report", err)
	}
	r := meta.report()
	for i, dst := range []*string{&r.Email, &r.Title, &r.Details} {
		field := securityReportsEnc.fields[i]
		pt, err := s.b.Decrypt(ctx, barrier.SystemScope, barrier.AD(securityReportsEnc.table, id, field), cts[i])
		if err != nil {
			return nil, quire.WrapError(quire.EINTERNAL, "Stored data could not be decrypted.", err)
		}
		*dst = string(pt)
	}
	return r, nil
}

// reportWhere returns the WHERE clause (with its leading space, or "")
// that selects what f selects, adding its arguments through arg.
func reportWhere(f quire.SecurityReportFilter, arg func(any) string) string {
	var where []string
	if f.Status != "" {
		where = append(where, "status = "+arg(string(f.Status)))
	}
	if !f.DueBy.IsZero() {
		where = append(where, "ack_due <= "+arg(f.DueBy))
	}
	if !f.RemindedBefore.IsZero() {
		where = append(where, "(reminded_at IS NULL OR reminded_at <= "+arg(f.RemindedBefore)+")")
	}
	if len(where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(where, " AND ")
}

// argList returns a function that appends an argument to *args and
// returns its placeholder.
func argList(args *[]any) func(any) string {
	return func(v any) string { *args = append(*args, v); return "$" + strconv.Itoa(len(*args)) }
}

// FindSecurityReports implements quire.SecurityReportService. It reads no
// ciphertext at all.
func (s *SecurityReportService) FindSecurityReports(ctx context.Context, f quire.SecurityReportFilter) ([]*quire.SecurityReport, error) {
	var args []any
	arg := argList(&args)
	q := "SELECT " + reportMeta + " FROM security_reports" + reportWhere(f, arg)
	if f.OldestDueFirst {
		q += " ORDER BY ack_due, id"
	} else {
		q += " ORDER BY received_at DESC, id"
	}
	limit := f.Limit
	if limit <= 0 || limit > quire.MaxSecurityReportList {
		limit = quire.MaxSecurityReportList
	}
	q += " LIMIT " + arg(limit) + " OFFSET " + arg(max(f.Offset, 0))
	rows, err := s.db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, internal("list security reports", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*quire.SecurityReport, error) {
		var meta reportRow
		if err := row.Scan(meta.dest()...); err != nil {
			return nil, err
		}
		return meta.report(), nil
	})
	if err != nil {
		return nil, internal("list security reports", err)
	}
	return out, nil
}

// CountSecurityReports implements quire.SecurityReportService.
func (s *SecurityReportService) CountSecurityReports(ctx context.Context, f quire.SecurityReportFilter) (int, error) {
	var args []any
	var n int
	err := s.db.pool.QueryRow(ctx, "SELECT count(*) FROM security_reports"+reportWhere(f, argList(&args)), args...).Scan(&n)
	if err != nil {
		return 0, internal("count security reports", err)
	}
	return n, nil
}

// SetSecurityReportStatus implements quire.SecurityReportService. The row
// is locked while its status is checked and changed.
func (s *SecurityReportService) SetSecurityReportStatus(ctx context.Context, id string, status quire.SecurityReportStatus, at time.Time) (*quire.SecurityReport, error) {
	if err := quire.ValidSecurityReportTarget(status); err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = now()
	}
	at = at.UTC().Truncate(time.Microsecond)
	var r *quire.SecurityReport
	err := s.db.inTx(ctx, binding{}, func(tx pgx.Tx) error {
		var meta reportRow
		err := tx.QueryRow(ctx, "SELECT "+reportMeta+" FROM security_reports WHERE id = $1 FOR UPDATE", id).Scan(meta.dest()...)
		if notFound(err) {
			return quire.ErrSecurityReportNotFound()
		} else if err != nil {
			return internal("read security report", err)
		}
		r = meta.report()
		if !slices.Contains(status.From(), r.Status) {
			return quire.Errorf(quire.ECONFLICT, "The report is %s: it cannot be marked %s.", r.Status, status)
		}
		r.Status = status
		if r.AcknowledgedAt.IsZero() {
			r.AcknowledgedAt = at
		}
		if status.Closed() {
			r.ClosedAt = at
		}
		_, err = tx.Exec(ctx, "UPDATE security_reports SET status = $2, acknowledged_at = $3, closed_at = $4 WHERE id = $1",
			id, string(status), r.AcknowledgedAt, nullTime(r.ClosedAt))
		return internal("set security report status", err)
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
	tag, err := s.db.pool.Exec(ctx, `UPDATE security_reports SET reminded_at = $2
		WHERE id = $1 AND status = $3 AND (reminded_at IS NULL OR reminded_at <= $4)`,
		id, utc(at), string(quire.SecurityReportNew), utc(lastBefore))
	if err != nil {
		return false, internal("mark security report reminded", err)
	}
	return tag.RowsAffected() == 1, nil
}

// UnmarkSecurityReportReminded implements quire.SecurityReportService.
func (s *SecurityReportService) UnmarkSecurityReportReminded(ctx context.Context, id string, at, prev time.Time) error {
	_, err := s.db.pool.Exec(ctx, "UPDATE security_reports SET reminded_at = $3 WHERE id = $1 AND reminded_at = $2",
		id, utc(at), nullTime(prev))
	return internal("unmark security report reminded", err)
}

// reportRow is a report's row without its content, as scanned.
type reportRow struct {
	id, status              string
	received, due           time.Time
	acked, closed, reminded *time.Time
}

// dest returns the scan destinations of reportMeta's columns.
func (m *reportRow) dest() []any {
	return []any{&m.id, &m.status, &m.received, &m.due, &m.acked, &m.closed, &m.reminded}
}

// report returns the scanned row as a report without content, in UTC.
func (m *reportRow) report() *quire.SecurityReport {
	r := &quire.SecurityReport{ID: m.id, Status: quire.SecurityReportStatus(m.status),
		ReceivedAt: m.received.UTC(), AckDue: m.due.UTC()}
	for _, t := range []struct {
		v   *time.Time
		dst *time.Time
	}{{m.acked, &r.AcknowledgedAt}, {m.closed, &r.ClosedAt}, {m.reminded, &r.RemindedAt}} {
		if t.v != nil {
			*t.dst = t.v.UTC()
		}
	}
	return r
}
