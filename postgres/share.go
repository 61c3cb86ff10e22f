package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// ShareService stores folder shares. An invited address is sealed under
// its workspace's scope and bound to its row, as folder names are; the
// store finds addresses and invitation tokens only by their blind indexes.
// Every call but ResolveShareInvite and SharesForUser runs in a
// transaction bound to the workspace it names.
type ShareService struct {
	db *DB
	b  *barrier.Barrier
}

// NewShareService returns a share service over db that encrypts with b.
func NewShareService(db *DB, b *barrier.Barrier) *ShareService { return &ShareService{db: db, b: b} }

var _ quire.ShareService = (*ShareService)(nil)

// sharesEnc is the encrypted column of folder_shares (migration 0013).
var sharesEnc = encrypted{"folder_shares", []string{"email"}, []string{"email_enc"}, ""}

// shareColumns are the columns a share is read with, in scanShare order.
const shareColumns = `id, workspace_id, folder_id, email_enc, permission, invited_by, grantee_id,
	created_at, expires_at, accepted_at`

// shareRow is a folder_shares row as stored.
type shareRow struct {
	id, workspace, folder string
	email                 []byte
	permission, invitedBy string
	grantee               *string
	created, expires      time.Time
	accepted              *time.Time
}

func scanShare(row pgx.Row) (*shareRow, error) {
	var r shareRow
	if err := row.Scan(&r.id, &r.workspace, &r.folder, &r.email, &r.permission, &r.invitedBy, &r.grantee,
		&r.created, &r.expires, &r.accepted); err != nil {
		return nil, err
	}
	return &r, nil
}

// decrypt opens a stored row's address into a quire.FolderShare.
func (s *ShareService) decrypt(ctx context.Context, r *shareRow) (*quire.FolderShare, error) {
	email, err := openField(ctx, s.b, r.workspace, sharesEnc.table, r.id, sharesEnc.fields[0], r.email)
	if err != nil {
		return nil, err
	}
	sh := &quire.FolderShare{ID: r.id, WorkspaceID: r.workspace, FolderID: r.folder, Email: email,
		Permission: quire.SharePermission(r.permission), InvitedBy: r.invitedBy,
		CreatedAt: r.created.UTC(), ExpiresAt: r.expires.UTC()}
	if r.grantee != nil {
		sh.GranteeID = *r.grantee
	}
	if r.accepted != nil {
		sh.AcceptedAt = r.accepted.UTC()
	}
	return sh, nil
}

// Errors of folder shares. None names the address or the folder.
var (
	errShareAccepted  = quire.Errorf(quire.ECONFLICT, "This address has already accepted a share of this folder.")
	errAlreadyShared  = quire.Errorf(quire.ECONFLICT, "You already have access to this folder.")
	errTooManyShares  = quire.Errorf(quire.ECONFLICT, "A folder has at most %d shares; revoke one first.", quire.MaxFolderShares)
	errShareIndex     = quire.Errorf(quire.EINVALID, "Share indexes must be %d bytes.", quire.ShareIndexSize)
	errShareTokenUsed = quire.Errorf(quire.ECONFLICT, "The invitation could not be made: try again.")
)

// constraintName returns the name of the constraint err violated, or "".
func constraintName(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.ConstraintName
	}
	return ""
}

// CreateShare implements quire.ShareService. The folder is checked before
// the address is sealed, so that sealing never makes a key for a workspace
// that does not exist. The transaction then locks the folder (no key
// update), so that concurrent invitations to one folder take turns: the
// lookup by address and the count of shares hold until it commits, and a
// DeleteFolder waits for it. Renewing a pending invitation keeps its ID,
// CreatedAt, inviter and stored address and replaces its permission,
// expiry and token. CreateShare also sets s.ExpiresAt to the stored value
// (UTC, in microseconds).
func (s *ShareService) CreateShare(ctx context.Context, sh *quire.FolderShare, emailIndex, tokenIndex []byte) error {
	if err := sh.Validate(); err != nil {
		return err
	}
	if !quire.ValidShareIndex(emailIndex) || !quire.ValidShareIndex(tokenIndex) {
		return errShareIndex
	}
	err := s.db.inTx(ctx, tenant(sh.WorkspaceID), func(tx pgx.Tx) error { return lockFolder(ctx, tx, sh.WorkspaceID, sh.FolderID) })
	if err != nil {
		return err
	}
	id, created := quire.NewID(), now()
	email, err := sealField(ctx, s.b, sh.WorkspaceID, sharesEnc.table, id, sharesEnc.fields[0], sh.Email)
	if err != nil {
		return err
	}
	expires := sh.ExpiresAt.UTC().Truncate(time.Microsecond)
	err = s.db.inTx(ctx, tenant(sh.WorkspaceID), func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM folders WHERE id = $1 AND workspace_id = $2 FOR NO KEY UPDATE",
			sh.FolderID, sh.WorkspaceID).Scan(&one)
		if notFound(err) {
			return quire.ErrFolderNotFound()
		} else if err != nil {
			return internal("lock folder", err)
		}
		var old string
		var grantee *string
		err = tx.QueryRow(ctx, `SELECT id, grantee_id, created_at FROM folder_shares
			WHERE workspace_id = $1 AND folder_id = $2 AND email_index = $3 FOR UPDATE`,
			sh.WorkspaceID, sh.FolderID, emailIndex).Scan(&old, &grantee, &created)
		switch {
		case err == nil && grantee != nil:
			return errShareAccepted
		case err == nil:
			id = old
			_, err = tx.Exec(ctx, "UPDATE folder_shares SET permission = $2, expires_at = $3, token_index = $4 WHERE id = $1",
				id, string(sh.Permission), expires, tokenIndex)
		case notFound(err):
			err = insertShare(ctx, tx, sh, id, email, emailIndex, tokenIndex, created, expires)
		}
		if constraintName(err) == "folder_shares_token_index_key" { // another share's token: a 2^-256 chance
			return errShareTokenUsed
		}
		return internal("create share", err)
	})
	if quire.ErrorCode(err) == quire.EFOLDERNOTFOUND {
		s.shredIfGone(ctx, sh.WorkspaceID)
	}
	if err != nil {
		return err
	}
	sh.ID, sh.CreatedAt, sh.ExpiresAt = id, created.UTC(), expires
	return nil
}

// insertShare stores a new invitation, unless its folder is full; the
// folder's expired invitations are deleted first.
func insertShare(ctx context.Context, tx pgx.Tx, sh *quire.FolderShare, id string, email, emailIndex, tokenIndex []byte, created, expires time.Time) error {
	// Invitations that expired unaccepted go first: they grant nothing
	// and must not fill the folder.
	if _, err := tx.Exec(ctx, "DELETE FROM folder_shares WHERE workspace_id = $1 AND folder_id = $2 AND grantee_id IS NULL AND expires_at <= $3",
		sh.WorkspaceID, sh.FolderID, created); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM folder_shares WHERE workspace_id = $1 AND folder_id = $2",
		sh.WorkspaceID, sh.FolderID).Scan(&n); err != nil {
		return err
	} else if n >= quire.MaxFolderShares {
		return errTooManyShares
	}
	_, err := tx.Exec(ctx, `INSERT INTO folder_shares (id, workspace_id, folder_id, email_enc, email_index, permission,
		token_index, invited_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		id, sh.WorkspaceID, sh.FolderID, email, emailIndex, string(sh.Permission), tokenIndex, sh.InvitedBy, created, expires)
	if pgCode(err) == codeForeignKeyViolation {
		return quire.Errorf(quire.ENOTFOUND, "The inviting user does not exist.")
	}
	return err
}

// shredIfGone destroys the keys of workspace ws if it was deleted while a
// share was being made: sealing the address may have made a data key for
// it. A workspace that still exists (only its folder went) keeps its keys.
func (s *ShareService) shredIfGone(ctx context.Context, ws string) {
	if errors.Is(s.db.workspaceExists(ctx, ws), errWorkspaceNotFound) {
		_ = s.b.Shred(context.WithoutCancel(ctx), barrier.WorkspaceScope(ws))
	}
}

// SetSharePermission implements quire.ShareService.
func (s *ShareService) SetSharePermission(ctx context.Context, workspaceID, id string, p quire.SharePermission) (*quire.FolderShare, error) {
	if !p.Valid() {
		return nil, quire.Errorf(quire.EINVALID, "Share permission must be %q or %q.", quire.ShareRead, quire.ShareWrite)
	}
	var r *shareRow
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		var err error
		r, err = scanShare(tx.QueryRow(ctx, "UPDATE folder_shares SET permission = $3 WHERE id = $1 AND workspace_id = $2 RETURNING "+shareColumns,
			id, workspaceID, string(p)))
		if notFound(err) {
			return quire.ErrShareNotFound()
		}
		return internal("set share permission", err)
	})
	if err != nil {
		return nil, err
	}
	return s.decrypt(ctx, r)
}

// DeleteShare implements quire.ShareService: the row goes, and with it the
// token's index and the grant.
func (s *ShareService) DeleteShare(ctx context.Context, workspaceID, id string) error {
	return s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM folder_shares WHERE id = $1 AND workspace_id = $2", id, workspaceID)
		if err != nil {
			return internal("delete share", err)
		}
		if tag.RowsAffected() == 0 {
			return quire.ErrShareNotFound()
		}
		return nil
	})
}

// AcceptShare implements quire.ShareService with one conditional update:
// of two accepts of one invitation, the second waits for the first and
// then finds no pending share with that token; of two accepts by one user
// of two shares of a folder, the unique key refuses the second.
func (s *ShareService) AcceptShare(ctx context.Context, workspaceID, id string, tokenIndex []byte, userID string) (*quire.FolderShare, error) {
	if userID == "" {
		return nil, quire.Errorf(quire.EINVALID, "A share is accepted by a user.")
	}
	if !quire.ValidShareIndex(tokenIndex) {
		return nil, quire.ErrShareNotFound()
	}
	t := now()
	var r *shareRow
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		var err error
		r, err = scanShare(tx.QueryRow(ctx, `UPDATE folder_shares SET grantee_id = $4, accepted_at = $5, token_index = NULL
			WHERE id = $1 AND workspace_id = $2 AND grantee_id IS NULL AND token_index = $3 AND expires_at > $5
			RETURNING `+shareColumns, id, workspaceID, tokenIndex, userID, t))
		switch {
		case notFound(err):
			return quire.ErrShareNotFound()
		case constraintName(err) == "folder_shares_grantee_key":
			return errAlreadyShared
		case pgCode(err) == codeForeignKeyViolation:
			return quire.Errorf(quire.ENOTFOUND, "User not found.")
		}
		return internal("accept share", err)
	})
	if err != nil {
		return nil, err
	}
	return s.decrypt(ctx, r)
}
