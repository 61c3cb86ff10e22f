package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// WorkspaceService stores workspaces and memberships. A workspace's name is
// encrypted under the workspace's own scope, and every transaction is bound
// to the workspace it touches.
type WorkspaceService struct {
	db *DB
	b  *barrier.Barrier
}

var _ quire.WorkspaceService = (*WorkspaceService)(nil)

// NewWorkspaceService returns a workspace service over db that encrypts with b.
func NewWorkspaceService(db *DB, b *barrier.Barrier) *WorkspaceService {
	return &WorkspaceService{db: db, b: b}
}

// workspaceRow is a workspaces row as stored.
type workspaceRow struct {
	id, region, owner string
	name              []byte
	created, updated  time.Time
}

const workspaceColumns = "id, name_enc, region, owner_id, created_at, updated_at"

func scanWorkspace(row pgx.Row) (*workspaceRow, error) {
	var r workspaceRow
	if err := row.Scan(&r.id, &r.name, &r.region, &r.owner, &r.created, &r.updated); err != nil {
		return nil, err
	}
	return &r, nil
}

func nameAD(id string) []byte { return barrier.AD("workspaces", id, "name") }

func (s *WorkspaceService) decrypt(ctx context.Context, r *workspaceRow) (*quire.Workspace, error) {
	name, err := s.b.Decrypt(ctx, barrier.WorkspaceScope(r.id), nameAD(r.id), r.name)
	if err != nil {
		return nil, internal("decrypt workspace", err)
	}
	return &quire.Workspace{ID: r.id, Name: string(name), Region: quire.Region(r.region), OwnerID: r.owner,
		CreatedAt: r.created.UTC(), UpdatedAt: r.updated.UTC()}, nil
}

var errWorkspaceNotFound = quire.Errorf(quire.ENOTFOUND, "Workspace not found.")

// CreateWorkspace implements quire.WorkspaceService.
func (s *WorkspaceService) CreateWorkspace(ctx context.Context, w *quire.Workspace) error {
	if err := w.Validate(); err != nil {
		return err
	}
	id, t := quire.NewID(), now()
	nameEnc, err := s.b.Encrypt(ctx, barrier.WorkspaceScope(id), nameAD(id), []byte(w.Name))
	if err != nil {
		_ = s.b.Shred(context.WithoutCancel(ctx), barrier.WorkspaceScope(id)) // a key may exist already
		return internal("encrypt workspace", err)
	}
	err = s.db.inTx(ctx, tenant(id), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO workspaces ("+workspaceColumns+") VALUES ($1, $2, $3, $4, $5, $5)",
			id, nameEnc, string(w.Region), w.OwnerID, t)
		if pgCode(err) == codeForeignKeyViolation {
			return quire.Errorf(quire.ENOTFOUND, "Workspace owner not found.")
		} else if err != nil {
			return internal("create workspace", err)
		}
		_, err = tx.Exec(ctx, "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
			id, w.OwnerID, string(quire.RoleOwner), t)
		return internal("create workspace owner membership", err)
	})
	if err != nil {
		_ = s.b.Shred(context.WithoutCancel(ctx), barrier.WorkspaceScope(id)) // the new scope holds nothing else
		return err
	}
	w.ID, w.CreatedAt, w.UpdatedAt = id, t, t
	return nil
}

// findRow reads one workspace row in a transaction bound to it.
func (s *WorkspaceService) findRow(ctx context.Context, id string) (*workspaceRow, error) {
	var r *workspaceRow
	err := s.db.inTx(ctx, tenant(id), func(tx pgx.Tx) error {
		var err error
		r, err = scanWorkspace(tx.QueryRow(ctx, "SELECT "+workspaceColumns+" FROM workspaces WHERE id = $1", id))
		if notFound(err) {
			return errWorkspaceNotFound
		}
		return internal("find workspace", err)
	})
	return r, err
}

// FindWorkspaceByID implements quire.WorkspaceService.
func (s *WorkspaceService) FindWorkspaceByID(ctx context.Context, id string) (*quire.Workspace, error) {
	r, err := s.findRow(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.decrypt(ctx, r)
}

// FindWorkspacesByUser implements quire.WorkspaceService. The transaction is
// bound to the user, which lets it see that user's memberships and their
// workspaces and nothing else. Workspaces come oldest first.
func (s *WorkspaceService) FindWorkspacesByUser(ctx context.Context, userID string) ([]*quire.Workspace, error) {
	var rows []*workspaceRow
	err := s.db.inTx(ctx, binding{user: userID}, func(tx pgx.Tx) error {
		rs, err := tx.Query(ctx, `SELECT w.id, w.name_enc, w.region, w.owner_id, w.created_at, w.updated_at
			FROM workspaces w JOIN memberships m ON m.workspace_id = w.id
			WHERE m.user_id = $1 ORDER BY w.created_at, w.id`, userID)
		if err != nil {
			return internal("find workspaces", err)
		}
		rows, err = pgx.CollectRows(rs, func(r pgx.CollectableRow) (*workspaceRow, error) { return scanWorkspace(r) })
		return internal("find workspaces", err)
	})
	if err != nil {
		return nil, err
	}
	out := make([]*quire.Workspace, 0, len(rows))
	for _, r := range rows {
		w, err := s.decrypt(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// RenameWorkspace implements quire.WorkspaceService.
func (s *WorkspaceService) RenameWorkspace(ctx context.Context, id, name string) (*quire.Workspace, error) {
	for range maxRetries {
		w, ok, err := s.tryRename(ctx, id, name)
		if err != nil || ok {
			return w, err
		}
	}
	return nil, quire.Errorf(quire.ECONFLICT, "The workspace was changed concurrently; try again.")
}

// tryRename writes the new name if the stored one is still the one read.
func (s *WorkspaceService) tryRename(ctx context.Context, id, name string) (*quire.Workspace, bool, error) {
	r, err := s.findRow(ctx, id)
	if err != nil {
		return nil, false, err
	}
	w := &quire.Workspace{ID: r.id, Name: name, Region: quire.Region(r.region), OwnerID: r.owner, CreatedAt: r.created.UTC()}
	if err := w.Validate(); err != nil {
		return nil, false, err
	}
	nameEnc, err := s.b.Encrypt(ctx, barrier.WorkspaceScope(id), nameAD(id), []byte(name))
	if err != nil {
		return nil, false, internal("encrypt workspace", err)
	}
	w.UpdatedAt = later(r.updated)
	var n int64
	err = s.db.inTx(ctx, tenant(id), func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE workspaces SET name_enc = $2, updated_at = $3 WHERE id = $1 AND name_enc = $4",
			id, nameEnc, w.UpdatedAt, r.name)
		n = tag.RowsAffected()
		return internal("rename workspace", err)
	})
	return w, n == 1, err
}

// DeleteWorkspace implements quire.WorkspaceService. The workspace's data
// keys and rows (notes, ideas, folder shares, folders, AI policy, memberships) are deleted in one
// transaction, so its content is unrecoverable from that moment and an
// interrupted delete leaves nothing half-gone. Shred then removes any key a concurrent write made meanwhile.
func (s *WorkspaceService) DeleteWorkspace(ctx context.Context, id string) error {
	if _, err := s.findRow(ctx, id); err != nil {
		return err
	}
	scope := barrier.WorkspaceScope(id)
	err := s.db.inTx(ctx, tenant(id), func(tx pgx.Tx) error {
		for _, q := range []struct{ sql, arg string }{
			{"DELETE FROM data_keys WHERE scope = $1", string(scope)},
			{"DELETE FROM chat_messages WHERE workspace_id = $1", id},
			{"DELETE FROM conversations WHERE workspace_id = $1", id},
			{"DELETE FROM note_versions WHERE workspace_id = $1", id},
			{"DELETE FROM files WHERE workspace_id = $1", id},
			{"DELETE FROM embeddings WHERE workspace_id = $1", id},
			{"DELETE FROM note_links WHERE workspace_id = $1", id},
			{"DELETE FROM notes WHERE workspace_id = $1", id},
			{"DELETE FROM ideas WHERE workspace_id = $1", id},
			{"DELETE FROM folder_shares WHERE workspace_id = $1", id},
			{"DELETE FROM folders WHERE workspace_id = $1", id},
			{"DELETE FROM ai_policies WHERE workspace_id = $1", id},
			{"DELETE FROM memberships WHERE workspace_id = $1", id},
			{"DELETE FROM workspaces WHERE id = $1", id},
		} {
			if _, err := tx.Exec(ctx, q.sql, q.arg); err != nil {
				return internal("delete workspace", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The keys are gone; Shred also drops them from the barrier's cache.
	if err := s.b.Shred(ctx, scope); err != nil {
		return internal("shred workspace keys", err)
	}
	return nil
}

// policyAD binds a sealed AI policy to its workspace's row of ai_policies.
func policyAD(workspaceID string) []byte {
	return barrier.AD(aiPoliciesEnc.table, workspaceID, "policy")
}

// AIPolicy implements quire.WorkspaceService. The workspace and its policy
// row, if any, are read in one statement bound to the workspace; the
// policy is decrypted after the transaction.
func (s *WorkspaceService) AIPolicy(ctx context.Context, workspaceID string) (*quire.AIPolicy, error) {
	var (
		ct      []byte
		updated *time.Time
	)
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT p.policy_enc, p.updated_at FROM workspaces w
			LEFT JOIN ai_policies p ON p.workspace_id = w.id WHERE w.id = $1`, workspaceID).Scan(&ct, &updated)
		if notFound(err) {
			return errWorkspaceNotFound
		}
		return internal("find AI policy", err)
	})
	if err != nil {
		return nil, err
	}
	p := &quire.AIPolicy{}
	if ct == nil || updated == nil {
		return p, nil // never set: the strictest policy
	}
	pt, err := s.b.Decrypt(ctx, barrier.WorkspaceScope(workspaceID), policyAD(workspaceID), ct)
	if err != nil {
		return nil, internal("decrypt AI policy", err)
	}
	if err := quire.UnmarshalAIPolicy(pt, p); err != nil {
		return nil, internal("read AI policy of "+workspaceID, err)
	}
	p.UpdatedAt = updated.UTC()
	return p, nil
}

// SetAIPolicy implements quire.WorkspaceService. The workspace must exist
// before the policy is sealed, so that no data key is made for an unknown
// scope; if the workspace is deleted between the seal and the write, the
// write fails on the foreign key and the key the seal may have made is
// shredded. UpdatedAt never moves backwards.
func (s *WorkspaceService) SetAIPolicy(ctx context.Context, workspaceID string, p *quire.AIPolicy) error {
	if p == nil {
		return quire.Errorf(quire.EINVALID, "AI policy is required.")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if _, err := s.findRow(ctx, workspaceID); err != nil {
		return err
	}
	scope := barrier.WorkspaceScope(workspaceID)
	ct, err := s.b.Encrypt(ctx, scope, policyAD(workspaceID), quire.MarshalAIPolicy(p))
	if err != nil {
		return internal("encrypt AI policy", err)
	}
	var t time.Time
	err = s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		var prev time.Time
		err := tx.QueryRow(ctx, "SELECT updated_at FROM ai_policies WHERE workspace_id = $1 FOR UPDATE", workspaceID).Scan(&prev)
		switch {
		case notFound(err):
			t = now()
		case err != nil:
			return internal("set AI policy", err)
		default:
			t = later(prev)
		}
		_, err = tx.Exec(ctx, `INSERT INTO ai_policies (workspace_id, policy_enc, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (workspace_id) DO UPDATE SET policy_enc = excluded.policy_enc, updated_at = excluded.updated_at`,
			workspaceID, ct, t)
		if pgCode(err) == codeForeignKeyViolation {
			return errWorkspaceNotFound
		}
		return internal("set AI policy", err)
	})
	if errors.Is(err, errWorkspaceNotFound) {
		_ = s.b.Shred(context.WithoutCancel(ctx), scope) // the workspace is gone, and its keys with it
	}
	if err != nil {
		return err
	}
	p.UpdatedAt = t
	return nil
}

// AIPolicyCensus implements quire.WorkspaceService. Row-level security
// hides every policy but the bound workspace's, and is not relaxed for
// this: the workspaces are listed through quire_workspace_ids, the one
// cross-tenant read (as Rewrap and ScanRaw do), and each one's policy is
// read in a transaction bound to it and decrypted after that transaction,
// under its scope. The counts are therefore not one snapshot: a workspace
// created meanwhile may be missed, and one deleted meanwhile is not
// counted. A policy that does not decrypt or decode fails the census (a
// count that skipped it would understate the workspaces that relaxed the
// default), except a workspace's whose keys and row were deleted together
// between its read and its decryption.
func (s *WorkspaceService) AIPolicyCensus(ctx context.Context) (quire.AIPolicyCensus, error) {
	var c quire.AIPolicyCensus
	ids, err := s.db.workspaceIDs(ctx)
	if err != nil {
		return c, internal("census AI policies", err)
	}
	for _, id := range ids {
		var ct []byte
		err := s.db.inTx(ctx, tenant(id), func(tx pgx.Tx) error {
			err := tx.QueryRow(ctx, "SELECT policy_enc FROM ai_policies WHERE workspace_id = $1", id).Scan(&ct)
			if notFound(err) {
				return nil // never set, or deleted since the listing
			}
			return internal("census AI policies", err)
		})
		if err != nil {
			return quire.AIPolicyCensus{}, err
		}
		if ct == nil {
			continue
		}
		pt, err := s.b.Decrypt(ctx, barrier.WorkspaceScope(id), policyAD(id), ct)
		if errors.Is(err, barrier.ErrNoKey) {
			if _, gone := s.findRow(ctx, id); errors.Is(gone, errWorkspaceNotFound) {
				continue // deleted meanwhile: its keys and rows went together
			}
		}
		if err != nil {
			return quire.AIPolicyCensus{}, internal("decrypt AI policy of "+id, err)
		}
		var p quire.AIPolicy
		if err := quire.UnmarshalAIPolicy(pt, &p); err != nil {
			return quire.AIPolicyCensus{}, internal("read AI policy of "+id, err)
		}
		c.Add(&p)
	}
	return c, nil
}
