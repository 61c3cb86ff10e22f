package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

// ExportService stores the users' data exports (claim GDPR-1). The table
// is user data, not tenant data, like sessions: no row-level security, and
// every query names the user or the export. It holds identifiers, counts
// and times only, never a sealed value or anything of the archive.
type ExportService struct {
	db *DB
}

var _ quire.ExportService = (*ExportService)(nil)

// NewExportService returns the export store on db.
func NewExportService(db *DB) *ExportService { return &ExportService{db: db} }

const exportColumns = "id, user_id, state, items_done, items_total, created_at, finished_at, expires_at, size, sha256, fail_code, lease_owner, lease_until"

var (
	errExportNotFound = quire.Errorf(quire.ENOTFOUND, "Export not found.")
	errExportActive   = quire.Errorf(quire.ECONFLICT, "An export of your data is already being prepared. Wait for it to finish.")
)

// CreateExport implements quire.ExportService.
func (s *ExportService) CreateExport(ctx context.Context, e *quire.Export) error {
	if !quire.ValidID(e.UserID) {
		return errUserNotFound
	}
	*e = quire.Export{ID: quire.NewID(), UserID: e.UserID, State: quire.ExportQueued, CreatedAt: now()}
	_, err := s.db.pool.Exec(ctx, "INSERT INTO exports (id, user_id, state, created_at) VALUES ($1, $2, $3, $4)",
		e.ID, e.UserID, e.State, e.CreatedAt)
	switch pgCode(err) {
	case "":
		return internal("create export", err)
	case codeForeignKeyViolation:
		return errUserNotFound
	case codeUniqueViolation:
		return errExportActive
	}
	return internal("create export", err)
}

// FindExport implements quire.ExportService.
func (s *ExportService) FindExport(ctx context.Context, userID, id string) (*quire.Export, error) {
	list, err := s.query(ctx, "SELECT "+exportColumns+" FROM exports WHERE id = $1 AND user_id = $2", id, userID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errExportNotFound
	}
	return list[0], nil
}

// FindExports implements quire.ExportService.
func (s *ExportService) FindExports(ctx context.Context, userID string) ([]*quire.Export, error) {
	return s.query(ctx, "SELECT "+exportColumns+" FROM exports WHERE user_id = $1 ORDER BY created_at DESC, id DESC", userID)
}

// FindExportsByState implements quire.ExportService.
func (s *ExportService) FindExportsByState(ctx context.Context, states ...string) ([]*quire.Export, error) {
	if len(states) == 0 {
		return nil, nil
	}
	return s.query(ctx, "SELECT "+exportColumns+" FROM exports WHERE state = ANY($1) ORDER BY created_at, id", states)
}

// query runs q and scans every export it returns.
func (s *ExportService) query(ctx context.Context, q string, args ...any) ([]*quire.Export, error) {
	rows, err := s.db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, internal("find exports", err)
	}
	list, err := pgx.CollectRows(rows, scanExport)
	if err != nil {
		return nil, internal("find exports", err)
	}
	return list, nil
}

// UpdateExport implements quire.ExportService.
func (s *ExportService) UpdateExport(ctx context.Context, e *quire.Export, from ...string) error {
	if !quire.ValidExportState(e.State) {
		return quire.Errorf(quire.EINVALID, "Unknown export state.")
	}
	if from == nil {
		from = []string{}
	}
	return s.exec(ctx, "update export", e.ID, `UPDATE exports SET state = $2, items_done = $3, items_total = $4, finished_at = $5, expires_at = $6,
		size = $7, sha256 = $8, fail_code = $9 WHERE id = $1 AND (cardinality($10::text[]) = 0 OR state = ANY($10))
		AND ($11 = '' OR lease_owner = $11)`,
		e.ID, e.State, e.ItemsDone, e.ItemsTotal, nullTime(e.FinishedAt), nullTime(e.ExpiresAt), e.Size, e.SHA256, e.FailCode, from, e.Worker)
}

// exec runs the update q of export id and tells ENOTFOUND from ECONFLICT
// when it changed nothing.
func (s *ExportService) exec(ctx context.Context, op, id, q string, args ...any) error {
	tag, err := s.db.pool.Exec(ctx, q, args...)
	if pgCode(err) == codeUniqueViolation {
		return errExportActive
	} else if err != nil {
		return internal(op, err)
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	var one int
	if err := s.db.pool.QueryRow(ctx, "SELECT 1 FROM exports WHERE id = $1", id).Scan(&one); notFound(err) {
		return errExportNotFound
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
	return s.exec(ctx, "claim export", id, `UPDATE exports SET state = 'running', items_done = 0, items_total = 0, lease_owner = $2, lease_until = $3
		WHERE id = $1 AND (state = 'queued' OR (state = 'running' AND (lease_until IS NULL OR lease_until < $4)))`,
		id, worker, until, now)
}

// RenewExportLease implements quire.ExportService.
func (s *ExportService) RenewExportLease(ctx context.Context, id, worker string, until time.Time) error {
	return s.exec(ctx, "renew export lease", id, "UPDATE exports SET lease_until = $3 WHERE id = $1 AND state = 'running' AND lease_owner = $2",
		id, worker, until)
}

// ClaimExportDownload implements quire.ExportService.
func (s *ExportService) ClaimExportDownload(ctx context.Context, userID, id string, now, until time.Time) error {
	err := s.exec(ctx, "claim export download", id, `UPDATE exports SET download_until = $3
		WHERE id = $1 AND user_id = $2 AND state = 'ready' AND (download_until IS NULL OR download_until < $4)`,
		id, userID, until, now)
	if quire.ErrorCode(err) == quire.ECONFLICT {
		if _, ferr := s.FindExport(ctx, userID, id); ferr != nil {
			return ferr // another user's
		}
	}
	return err
}

// ReleaseExportDownload implements quire.ExportService.
func (s *ExportService) ReleaseExportDownload(ctx context.Context, id string) error {
	_, err := s.db.pool.Exec(ctx, "UPDATE exports SET download_until = NULL WHERE id = $1 AND state = 'ready'", id)
	return internal("release export download", err)
}

// FindExportMemberships implements quire.ExportService. The transaction
// is bound to the user, which lets it see that user's memberships and
// their workspaces' rows; nothing is decrypted.
func (s *ExportService) FindExportMemberships(ctx context.Context, userID string) ([]*quire.ExportMembership, error) {
	var out []*quire.ExportMembership
	err := s.db.inTx(ctx, binding{user: userID}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT w.id, w.owner_id, m.role, w.created_at
			FROM workspaces w JOIN memberships m ON m.workspace_id = w.id
			WHERE m.user_id = $1 ORDER BY w.created_at, w.id`, userID)
		if err != nil {
			return internal("find memberships", err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*quire.ExportMembership, error) {
			var m quire.ExportMembership
			err := r.Scan(&m.WorkspaceID, &m.OwnerID, &m.Role, &m.CreatedAt)
			m.CreatedAt = m.CreatedAt.UTC()
			return &m, err
		})
		return internal("find memberships", err)
	})
	return out, err
}

// SetExportProgress implements quire.ExportService.
func (s *ExportService) SetExportProgress(ctx context.Context, id string, done, total int) error {
	if done < 0 || total < 0 {
		return quire.Errorf(quire.EINVALID, "Export progress must not be negative.")
	}
	_, err := s.db.pool.Exec(ctx, "UPDATE exports SET items_done = $2, items_total = $3 WHERE id = $1 AND state = 'running'", id, done, total)
	return internal("set export progress", err)
}

// scanExport reads one exports row.
func scanExport(row pgx.CollectableRow) (*quire.Export, error) {
	var (
		e                 quire.Export
		finished, expires *time.Time
		lease             *time.Time
	)
	if err := row.Scan(&e.ID, &e.UserID, &e.State, &e.ItemsDone, &e.ItemsTotal, &e.CreatedAt, &finished, &expires, &e.Size, &e.SHA256, &e.FailCode,
		&e.Worker, &lease); err != nil {
		return nil, err
	}
	if lease != nil {
		e.LeaseUntil = lease.UTC()
	}
	e.CreatedAt = e.CreatedAt.UTC()
	if finished != nil {
		e.FinishedAt = finished.UTC()
	}
	if expires != nil {
		e.ExpiresAt = expires.UTC()
	}
	return &e, nil
}

// FindExportIDs implements quire.ExportService. The transaction is bound
// to the workspace, whose rows alone it sees.
func (s *ExportService) FindExportIDs(ctx context.Context, table, workspaceID, after string, limit int) ([]string, error) {
	switch table {
	case quire.ExportNotes, quire.ExportFiles, quire.ExportConversations:
	default:
		return nil, quire.Errorf(quire.EINVALID, "Unknown export table.")
	}
	var out []string
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id FROM "+table+" WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3", workspaceID, after, limit)
		if err != nil {
			return internal("find export ids", err)
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return internal("find export ids", err)
	})
	return out, err
}
