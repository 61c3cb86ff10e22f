package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/quirehq/quire"
)

// ExportService stores the users' data exports (claim GDPR-1): identifiers,
// counts and times only, never a sealed value or anything of the archive.
type ExportService struct {
	db *DB
}

var _ quire.ExportService = (*ExportService)(nil)

// NewExportService returns the export store on db.
func NewExportService(db *DB) *ExportService { return &ExportService{db: db} }

const exportColumns = "id, user_id, state, items_done, items_total, created_at, finished_at, expires_at, size, sha256, fail_code, lease_owner, lease_until"

func errExportNotFound() error { return quire.Errorf(quire.ENOTFOUND, "Export not found.") }

// errExportActive refuses a second export while one is being built.
func errExportActive() error {
	return quire.Errorf(quire.ECONFLICT, "An export of your data is already being prepared. Wait for it to finish.")
}

// CreateExport implements quire.ExportService.
func (s *ExportService) CreateExport(ctx context.Context, e *quire.Export) error {
	if !quire.ValidID(e.UserID) {
		return quire.Errorf(quire.ENOTFOUND, "User not found.")
	}
	*e = quire.Export{ID: quire.NewID(), UserID: e.UserID, State: quire.ExportQueued, CreatedAt: now()}
	_, err := s.db.writer.ExecContext(ctx, "INSERT INTO exports (id, user_id, state, created_at) VALUES (?, ?, ?, ?)",
		e.ID, e.UserID, e.State, formatTime(e.CreatedAt))
	switch {
	case isForeignKeyViolation(err):
		return quire.Errorf(quire.ENOTFOUND, "User not found.")
	case isUniqueViolation(err):
		return errExportActive()
	case err != nil:
		return internal("create export", err)
	}
	return nil
}

// FindExport implements quire.ExportService.
func (s *ExportService) FindExport(ctx context.Context, userID, id string) (*quire.Export, error) {
	e, err := scanExport(s.db.reader.QueryRowContext(ctx, "SELECT "+exportColumns+" FROM exports WHERE id = ? AND user_id = ?", id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errExportNotFound()
	} else if err != nil {
		return nil, internal("find export", err)
	}
	return e, nil
}

// FindExports implements quire.ExportService.
func (s *ExportService) FindExports(ctx context.Context, userID string) ([]*quire.Export, error) {
	return s.query(ctx, "SELECT "+exportColumns+" FROM exports WHERE user_id = ? ORDER BY created_at DESC, id DESC", userID)
}

// FindExportsByState implements quire.ExportService.
func (s *ExportService) FindExportsByState(ctx context.Context, states ...string) ([]*quire.Export, error) {
	if len(states) == 0 {
		return nil, nil
	}
	args := make([]any, len(states))
	for i, st := range states {
		args[i] = st
	}
	q := "SELECT " + exportColumns + " FROM exports WHERE state IN (?" + strings.Repeat(", ?", len(states)-1) + ") ORDER BY created_at, id"
	return s.query(ctx, q, args...)
}

// query runs q and scans every export it returns.
func (s *ExportService) query(ctx context.Context, q string, args ...any) ([]*quire.Export, error) {
	rows, err := s.db.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, internal("find exports", err)
	}
	defer rows.Close()
	var out []*quire.Export
	for rows.Next() {
		e, err := scanExport(rows)
		if err != nil {
			return nil, internal("find exports", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("find exports", err)
	}
	return out, nil
}

// UpdateExport implements quire.ExportService.
func (s *ExportService) UpdateExport(ctx context.Context, e *quire.Export, from ...string) error {
	if !quire.ValidExportState(e.State) {
		return quire.Errorf(quire.EINVALID, "Unknown export state.")
	}
	q := `UPDATE exports SET state = ?, items_done = ?, items_total = ?, finished_at = ?, expires_at = ?, size = ?, sha256 = ?, fail_code = ?
		WHERE id = ?`
	args := []any{e.State, e.ItemsDone, e.ItemsTotal, nullTime(e.FinishedAt), nullTime(e.ExpiresAt), e.Size, e.SHA256, e.FailCode, e.ID}
	if len(from) > 0 {
		q += " AND state IN (?" + strings.Repeat(", ?", len(from)-1) + ")"
		for _, st := range from {
			args = append(args, st)
		}
	}
	if e.Worker != "" {
		q += " AND lease_owner = ?"
		args = append(args, e.Worker)
	}
	return s.exec(ctx, "update export", e.ID, q, args...)
}

// exec runs the update q of export id and tells ENOTFOUND from ECONFLICT
// when it changed nothing.
func (s *ExportService) exec(ctx context.Context, op, id, q string, args ...any) error {
	res, err := s.db.writer.ExecContext(ctx, q, args...)
	if isUniqueViolation(err) {
		return errExportActive()
	} else if err != nil {
		return internal(op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return internal(op, err)
	} else if n > 0 {
		return nil
	}
	var one int
	if err := s.db.writer.QueryRowContext(ctx, "SELECT 1 FROM exports WHERE id = ?", id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return errExportNotFound()
	} else if err != nil {
		return internal(op, err)
	}
	return quire.Errorf(quire.ECONFLICT, "The export is no longer in that state.")
}

// ClaimExport implements quire.ExportService.
func (s *ExportService) ClaimExport(ctx context.Context, id, worker string, now, until time.Time) error {
	if worker == "" {
		return quire.Errorf(quire.EINVALID, "A worker is required to claim an export.")
	}
	return s.exec(ctx, "claim export", id, `UPDATE exports SET state = 'running', items_done = 0, items_total = 0, lease_owner = ?, lease_until = ?
		WHERE id = ? AND (state = 'queued' OR (state = 'running' AND (lease_until IS NULL OR lease_until < ?)))`,
		worker, formatTime(until), id, formatTime(now))
}

// RenewExportLease implements quire.ExportService.
func (s *ExportService) RenewExportLease(ctx context.Context, id, worker string, until time.Time) error {
	return s.exec(ctx, "renew export lease", id, "UPDATE exports SET lease_until = ? WHERE id = ? AND state = 'running' AND lease_owner = ?",
		formatTime(until), id, worker)
}

// ClaimExportDownload implements quire.ExportService.
func (s *ExportService) ClaimExportDownload(ctx context.Context, userID, id string, now, until time.Time) error {
	err := s.exec(ctx, "claim export download", id, `UPDATE exports SET download_until = ?
		WHERE id = ? AND state = 'ready' AND (download_until IS NULL OR download_until < ?) AND user_id = ?`,
		formatTime(until), id, formatTime(now), userID)
	if quire.ErrorCode(err) == quire.ECONFLICT {
		if _, ferr := s.FindExport(ctx, userID, id); ferr != nil {
			return ferr // another user's
		}
	}
	return err
}

// ReleaseExportDownload implements quire.ExportService.
func (s *ExportService) ReleaseExportDownload(ctx context.Context, id string) error {
	if _, err := s.db.writer.ExecContext(ctx, "UPDATE exports SET download_until = NULL WHERE id = ? AND state = 'ready'", id); err != nil {
		return internal("release export download", err)
	}
	return nil
}

// FindExportMemberships implements quire.ExportService.
func (s *ExportService) FindExportMemberships(ctx context.Context, userID string) ([]*quire.ExportMembership, error) {
	rows, err := s.db.reader.QueryContext(ctx, `SELECT w.id, w.owner_id, m.role, w.created_at
		FROM workspaces w JOIN memberships m ON m.workspace_id = w.id WHERE m.user_id = ? ORDER BY w.created_at, w.id`, userID)
	if err != nil {
		return nil, internal("find memberships", err)
	}
	defer rows.Close()
	var out []*quire.ExportMembership
	for rows.Next() {
		var (
			m       quire.ExportMembership
			created string
		)
		if err := rows.Scan(&m.WorkspaceID, &m.OwnerID, &m.Role, &created); err != nil {
			return nil, internal("find memberships", err)
		}
		if m.CreatedAt, err = parseTime(created); err != nil {
			return nil, internal("find memberships", err)
		}
		out = append(out, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("find memberships", err)
	}
	return out, nil
}

// SetExportProgress implements quire.ExportService.
func (s *ExportService) SetExportProgress(ctx context.Context, id string, done, total int) error {
	if done < 0 || total < 0 {
		return quire.Errorf(quire.EINVALID, "Export progress must not be negative.")
	}
	if _, err := s.db.writer.ExecContext(ctx, "UPDATE exports SET items_done = ?, items_total = ? WHERE id = ? AND state = 'running'",
		done, total, id); err != nil {
		return internal("set export progress", err)
	}
	return nil
}

// scanExport reads one exports row.
func scanExport(row interface{ Scan(...any) error }) (*quire.Export, error) {
	var (
		e                 quire.Export
		created           string
		finished, expires sql.NullString
		lease             sql.NullString
	)
	if err := row.Scan(&e.ID, &e.UserID, &e.State, &e.ItemsDone, &e.ItemsTotal, &created, &finished, &expires, &e.Size, &e.SHA256, &e.FailCode,
		&e.Worker, &lease); err != nil {
		return nil, err
	}
	var err error
	if e.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if e.FinishedAt, err = parseNullTime(finished); err != nil {
		return nil, err
	}
	if e.ExpiresAt, err = parseNullTime(expires); err != nil {
		return nil, err
	}
	if e.LeaseUntil, err = parseNullTime(lease); err != nil {
		return nil, err
	}
	return &e, nil
}

// exportTable checks that table is one an export pages through.
func exportTable(table string) error {
	switch table {
	case quire.ExportNotes, quire.ExportFiles, quire.ExportConversations:
		return nil
	}
	return quire.Errorf(quire.EINVALID, "Unknown export table.")
}

// FindExportIDs implements quire.ExportService.
func (s *ExportService) FindExportIDs(ctx context.Context, table, workspaceID, after string, limit int) ([]string, error) {
	if err := exportTable(table); err != nil {
		return nil, err
	}
	rows, err := s.db.reader.QueryContext(ctx, "SELECT id FROM "+table+" WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?",
		workspaceID, after, limit)
	if err != nil {
		return nil, internal("find export ids", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, internal("find export ids", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("find export ids", err)
	}
	return out, nil
}
