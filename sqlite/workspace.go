package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// WorkspaceService stores workspaces, each with its name encrypted under the
// workspace's own scope, and their memberships.
type WorkspaceService struct {
	db *DB
	b  *barrier.Barrier
}

// NewWorkspaceService returns a WorkspaceService on db that encrypts through b.
func NewWorkspaceService(db *DB, b *barrier.Barrier) *WorkspaceService {
	return &WorkspaceService{db: db, b: b}
}

var _ quire.WorkspaceService = (*WorkspaceService)(nil)

const workspaceColumns = "w.id, w.name_enc, w.region, w.owner_id, w.created_at, w.updated_at"

// workspaceRow is a workspaces row as stored.
type workspaceRow struct {
	id, region, owner, created, updated string
	name                                []byte
}

func scanWorkspace(row interface{ Scan(...any) error }) (*workspaceRow, error) {
	var r workspaceRow
	err := row.Scan(&r.id, &r.name, &r.region, &r.owner, &r.created, &r.updated)
	return &r, err
}

// decode decrypts a stored row into a quire.Workspace.
func (s *WorkspaceService) decode(ctx context.Context, r *workspaceRow) (*quire.Workspace, error) {
	w := &quire.Workspace{ID: r.id, Region: quire.Region(r.region), OwnerID: r.owner}
	var err error
	if w.Name, err = unseal(ctx, s.b, barrier.WorkspaceScope(r.id), tableWorkspaces, r.id, fieldName, r.name); err != nil {
		return nil, err
	}
	if w.CreatedAt, err = parseTime(r.created); err != nil {
		return nil, internal("read workspace", err)
	}
	if w.UpdatedAt, err = parseTime(r.updated); err != nil {
		return nil, internal("read workspace", err)
	}
	return w, nil
}

func errWorkspaceNotFound() error { return quire.Errorf(quire.ENOTFOUND, "Workspace not found.") }

// FindWorkspaceByID implements quire.WorkspaceService.
func (s *WorkspaceService) FindWorkspaceByID(ctx context.Context, id string) (*quire.Workspace, error) {
	r, err := scanWorkspace(s.db.reader.QueryRowContext(ctx, "SELECT "+workspaceColumns+" FROM workspaces w WHERE w.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errWorkspaceNotFound()
	} else if err != nil {
		return nil, internal("find workspace", err)
	}
	return s.decode(ctx, r)
}

// FindWorkspacesByUser implements quire.WorkspaceService, oldest first. Rows
// are read before any is decrypted, so that no read connection is held while
// the barrier may need one to load keys.
func (s *WorkspaceService) FindWorkspacesByUser(ctx context.Context, userID string) ([]*quire.Workspace, error) {
	rows, err := s.db.reader.QueryContext(ctx, "SELECT "+workspaceColumns+
		" FROM workspaces w JOIN memberships m ON m.workspace_id = w.id WHERE m.user_id = ? ORDER BY w.created_at, w.id", userID)
	if err != nil {
		return nil, internal("find workspaces", err)
	}
	var raw []*workspaceRow
	for rows.Next() {
		r, err := scanWorkspace(rows)
		if err != nil {
			rows.Close()
			return nil, internal("find workspaces", err)
		}
		raw = append(raw, r)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, internal("find workspaces", err)
	}
	out := make([]*quire.Workspace, 0, len(raw))
	for _, r := range raw {
		w, err := s.decode(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// CreateWorkspace implements quire.WorkspaceService: the workspace row and
// its owner's membership are written in one transaction.
func (s *WorkspaceService) CreateWorkspace(ctx context.Context, w *quire.Workspace) error {
	if err := w.Validate(); err != nil {
		return err
	}
	var n int
	if err := s.db.reader.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE id = ?", w.OwnerID).Scan(&n); err != nil {
		return internal("check owner", err)
	} else if n == 0 {
		return quire.Errorf(quire.ENOTFOUND, "Workspace owner not found.")
	}
	id, t := quire.NewID(), now()
	r, err := s.seal(ctx, w, id, t)
	if err != nil {
		return err
	}
	err = s.db.write(ctx, func(tx *sql.Tx) error { return insertWorkspace(ctx, tx, r) })
	if err != nil {
		shredQuietly(ctx, s.b, barrier.WorkspaceScope(id))
		if isForeignKeyViolation(err) {
			return quire.Errorf(quire.ENOTFOUND, "Workspace owner not found.")
		}
		return internal("insert workspace", err)
	}
	w.ID, w.CreatedAt, w.UpdatedAt = id, t, t
	return nil
}

// seal encrypts a new workspace, to be stored with ID id, created at t,
// under its own scope. On failure no key of that scope is left behind.
func (s *WorkspaceService) seal(ctx context.Context, w *quire.Workspace, id string, t time.Time) (*workspaceRow, error) {
	scope := barrier.WorkspaceScope(id)
	name, err := seal(ctx, s.b, scope, tableWorkspaces, id, fieldName, w.Name)
	if err != nil {
		shredQuietly(ctx, s.b, scope) // the seal may have made the key before failing
		return nil, err
	}
	return &workspaceRow{id: id, name: name, region: string(w.Region), owner: w.OwnerID,
		created: formatTime(t), updated: formatTime(t)}, nil
}

// insertWorkspace writes the workspace row and its owner's membership; tx
// must be a transaction so that the two go together.
func insertWorkspace(ctx context.Context, tx *sql.Tx, r *workspaceRow) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO workspaces (id, name_enc, region, owner_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
		r.id, r.name, r.region, r.owner, r.created, r.updated)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
		r.id, r.owner, string(quire.RoleOwner), r.created)
	return err
}

// RenameWorkspace implements quire.WorkspaceService.
func (s *WorkspaceService) RenameWorkspace(ctx context.Context, id, name string) (*quire.Workspace, error) {
	cur, err := s.FindWorkspaceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	next := *cur
	next.Name = name
	if err := next.Validate(); err != nil {
		return nil, err
	}
	ct, err := seal(ctx, s.b, barrier.WorkspaceScope(id), tableWorkspaces, id, fieldName, name)
	if err != nil {
		return nil, err
	}
	next.UpdatedAt = after(cur.UpdatedAt)
	res, err := s.db.writer.ExecContext(ctx, "UPDATE workspaces SET name_enc = ?, updated_at = ? WHERE id = ?",
		ct, formatTime(next.UpdatedAt), id)
	if err != nil {
		return nil, internal("rename workspace", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return nil, errWorkspaceNotFound()
	}
	return &next, nil
}

// policyAD binds a sealed AI policy to its workspace's row of ai_policies.
func policyAD(workspaceID string) []byte {
	return barrier.AD(tableAIPolicies, workspaceID, fieldPolicy)
}

// AIPolicy implements quire.WorkspaceService. The workspace and its policy
// row, if any, are read in one statement, before anything is decrypted.
func (s *WorkspaceService) AIPolicy(ctx context.Context, workspaceID string) (*quire.AIPolicy, error) {
	var (
		ct      []byte
		updated sql.NullString
	)
	err := s.db.reader.QueryRowContext(ctx, `SELECT p.policy_enc, p.updated_at FROM workspaces w
		LEFT JOIN ai_policies p ON p.workspace_id = w.id WHERE w.id = ?`, workspaceID).Scan(&ct, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errWorkspaceNotFound()
	} else if err != nil {
		return nil, internal("find AI policy", err)
	}
	p := &quire.AIPolicy{}
	if ct == nil {
		return p, nil // never set: the strictest policy
	}
	pt, err := s.b.Decrypt(ctx, barrier.WorkspaceScope(workspaceID), policyAD(workspaceID), ct)
	if err != nil {
		return nil, decryptFailed(tableAIPolicies, workspaceID, fieldPolicy, err)
	}
	if err := quire.UnmarshalAIPolicy(pt, p); err != nil {
		return nil, internal("read AI policy of "+workspaceID, err)
	}
	if p.UpdatedAt, err = parseTime(updated.String); err != nil {
		return nil, internal("read AI policy", err)
	}
	return p, nil
}

// SetAIPolicy implements quire.WorkspaceService. The workspace must exist
// before the policy is sealed, so that no data key is made for an unknown
// scope; if the workspace is deleted between the seal and the write, the
// write fails on the foreign key and the key the seal may have made is
// shredded.
func (s *WorkspaceService) SetAIPolicy(ctx context.Context, workspaceID string, p *quire.AIPolicy) error {
	if p == nil {
		return quire.Errorf(quire.EINVALID, "AI policy is required.")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if err := s.exists(ctx, workspaceID); err != nil {
		return err
	}
	scope := barrier.WorkspaceScope(workspaceID)
	ct, err := s.b.Encrypt(ctx, scope, policyAD(workspaceID), quire.MarshalAIPolicy(p))
	if err != nil {
		return encryptFailed(err)
	}
	var t time.Time
	err = s.db.write(ctx, func(tx *sql.Tx) error {
		var prev sql.NullString
		err := tx.QueryRowContext(ctx, "SELECT updated_at FROM ai_policies WHERE workspace_id = ?", workspaceID).Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		t = now()
		if prev.Valid {
			last, err := parseTime(prev.String)
			if err != nil {
				return err
			}
			t = after(last)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO ai_policies (workspace_id, policy_enc, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (workspace_id) DO UPDATE SET policy_enc = excluded.policy_enc, updated_at = excluded.updated_at`,
			workspaceID, ct, formatTime(t))
		return err
	})
	if isForeignKeyViolation(err) {
		shredQuietly(ctx, s.b, scope) // the workspace is gone, and its keys with it
		return errWorkspaceNotFound()
	} else if err != nil {
		return internal("set AI policy", err)
	}
	p.UpdatedAt = t
	return nil
}

// AIPolicyCensus implements quire.WorkspaceService. Every stored policy is
// read in one statement (one snapshot), then each is decrypted under its
// workspace's scope, after the rows are closed so that no read connection is
// held while the barrier may need one to load keys. A policy that does not
// decrypt or decode fails the census: a count that skipped it would
// understate the workspaces that relaxed the default. The one exception is a
// workspace deleted between the read and the decryption, whose keys are gone
// with it: it is no longer counted.
func (s *WorkspaceService) AIPolicyCensus(ctx context.Context) (quire.AIPolicyCensus, error) {
	type sealedPolicy struct {
		workspaceID string
		ct          []byte
	}
	var c quire.AIPolicyCensus
	rows, err := s.db.reader.QueryContext(ctx, `SELECT p.workspace_id, p.policy_enc FROM ai_policies p
		JOIN workspaces w ON w.id = p.workspace_id ORDER BY p.workspace_id`)
	if err != nil {
		return c, internal("read AI policies", err)
	}
	var sealed []sealedPolicy
	for rows.Next() {
		var r sealedPolicy
		if err := rows.Scan(&r.workspaceID, &r.ct); err != nil {
			rows.Close()
			return c, internal("read AI policies", err)
		}
		sealed = append(sealed, r)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return c, internal("read AI policies", err)
	}
	for _, r := range sealed {
		pt, err := s.b.Decrypt(ctx, barrier.WorkspaceScope(r.workspaceID), policyAD(r.workspaceID), r.ct)
		if errors.Is(err, barrier.ErrNoKey) {
			if gone := s.exists(ctx, r.workspaceID); quire.ErrorCode(gone) == quire.ENOTFOUND {
				continue // deleted meanwhile: its keys and row went together
			}
		}
		if err != nil {
			return quire.AIPolicyCensus{}, decryptFailed(tableAIPolicies, r.workspaceID, fieldPolicy, err)
		}
		var p quire.AIPolicy
		if err := quire.UnmarshalAIPolicy(pt, &p); err != nil {
			return quire.AIPolicyCensus{}, internal("read AI policy of "+r.workspaceID, err)
		}
		c.Add(&p)
	}
	return c, nil
}
