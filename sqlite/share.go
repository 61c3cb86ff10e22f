package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// tableShares is the table of folder shares, as bound into the associated
// data of each sealed address.
const tableShares = "folder_shares"

// ShareService stores folder shares. An invited address is sealed under
// its workspace's scope and bound to its row, as folder names are; the
// store finds addresses and invitation tokens only by their blind indexes.
// Every query but ResolveShareInvite and SharesForUser is bound to the
// workspace named in the call.
type ShareService struct {
	db *DB
	b  *barrier.Barrier
}

// NewShareService returns a ShareService on db that encrypts through b.
func NewShareService(db *DB, b *barrier.Barrier) *ShareService { return &ShareService{db: db, b: b} }

var _ quire.ShareService = (*ShareService)(nil)

// shareColumns are the columns a share is read with, in scanShare order.
const shareColumns = `id, workspace_id, folder_id, email_enc, permission, invited_by, grantee_id,
	created_at, expires_at, accepted_at`

// shareRow is a folder_shares row as stored.
type shareRow struct {
	id, workspaceID, folderID string
	email                     []byte
	permission, invitedBy     string
	grantee                   sql.NullString
	created, expires          string
	accepted                  sql.NullString
}

func scanShare(row interface{ Scan(...any) error }) (*shareRow, error) {
	var r shareRow
	err := row.Scan(&r.id, &r.workspaceID, &r.folderID, &r.email, &r.permission, &r.invitedBy, &r.grantee,
		&r.created, &r.expires, &r.accepted)
	return &r, err
}

// decode decrypts a stored row into a quire.FolderShare.
func (s *ShareService) decode(ctx context.Context, r *shareRow) (*quire.FolderShare, error) {
	sh := &quire.FolderShare{ID: r.id, WorkspaceID: r.workspaceID, FolderID: r.folderID,
		Permission: quire.SharePermission(r.permission), InvitedBy: r.invitedBy, GranteeID: r.grantee.String}
	var err error
	if sh.Email, err = unseal(ctx, s.b, barrier.WorkspaceScope(r.workspaceID), tableShares, r.id, fieldEmail, r.email); err != nil {
		return nil, err
	}
	if sh.CreatedAt, err = parseTime(r.created); err != nil {
		return nil, internal("read share", err)
	}
	if sh.ExpiresAt, err = parseTime(r.expires); err != nil {
		return nil, internal("read share", err)
	}
	if r.accepted.Valid {
		if sh.AcceptedAt, err = parseTime(r.accepted.String); err != nil {
			return nil, internal("read share", err)
		}
	}
	return sh, nil
}

// Errors of folder shares. None names the address or the folder.
func errShareAccepted() error {
	return quire.Errorf(quire.ECONFLICT, "This address has already accepted a share of this folder.")
}

func errAlreadyShared() error {
	return quire.Errorf(quire.ECONFLICT, "You already have access to this folder.")
}

func errTooManyShares() error {
	return quire.Errorf(quire.ECONFLICT, "A folder has at most %d shares; revoke one first.", quire.MaxFolderShares)
}

func errShareIndex() error {
	return quire.Errorf(quire.EINVALID, "Share indexes must be %d bytes.", quire.ShareIndexSize)
}

// CreateShare implements quire.ShareService. The folder is checked before
// the address is sealed, so that sealing never makes a key for a workspace
// that does not exist, and again in the write transaction that counts the
// folder's shares and stores this one. Renewing a pending invitation keeps
// its ID, CreatedAt, inviter and stored address and replaces its
// permission, expiry and token. CreateShare also sets s.ExpiresAt to the
// stored value (UTC, in microseconds).
func (s *ShareService) CreateShare(ctx context.Context, sh *quire.FolderShare, emailIndex, tokenIndex []byte) error {
	if err := sh.Validate(); err != nil {
		return err
	}
	if !quire.ValidShareIndex(emailIndex) || !quire.ValidShareIndex(tokenIndex) {
		return errShareIndex()
	}
	err := s.db.read(ctx, func(tx *sql.Tx) error { return folderExists(ctx, tx, sh.WorkspaceID, sh.FolderID) })
	if err != nil {
		return err
	}
	id, t := quire.NewID(), now()
	email, err := seal(ctx, s.b, barrier.WorkspaceScope(sh.WorkspaceID), tableShares, id, fieldEmail, sh.Email)
	if err != nil {
		return err
	}
	expires := sh.ExpiresAt.UTC().Truncate(time.Microsecond)
	created := formatTime(t)
	err = s.db.write(ctx, func(tx *sql.Tx) error {
		if err := folderExists(ctx, tx, sh.WorkspaceID, sh.FolderID); err != nil {
			return err
		}
		var old string
		var grantee sql.NullString
		err := tx.QueryRowContext(ctx, "SELECT id, grantee_id, created_at FROM folder_shares WHERE workspace_id = ? AND folder_id = ? AND email_index = ?",
			sh.WorkspaceID, sh.FolderID, emailIndex).Scan(&old, &grantee, &created)
		switch {
		case err == nil && grantee.Valid:
			return errShareAccepted()
		case err == nil:
			id = old
			_, err = tx.ExecContext(ctx, "UPDATE folder_shares SET permission = ?, expires_at = ?, token_index = ? WHERE id = ?",
				string(sh.Permission), formatTime(expires), tokenIndex, id)
		case errors.Is(err, sql.ErrNoRows):
			err = insertShare(ctx, tx, sh, id, email, emailIndex, tokenIndex, created, formatTime(expires))
		}
		if isUniqueViolation(err) { // another share's token: a 2^-256 chance
			return quire.Errorf(quire.ECONFLICT, "The invitation could not be made: try again.")
		}
		return err
	})
	if quire.ErrorCode(err) == quire.EFOLDERNOTFOUND {
		s.shredIfGone(ctx, sh.WorkspaceID)
	}
	var qe *quire.Error
	if err != nil && !errors.As(err, &qe) {
		return internal("create share", err)
	} else if err != nil {
		return err
	}
	if sh.CreatedAt, err = parseTime(created); err != nil {
		return internal("create share", err)
	}
	sh.ID, sh.ExpiresAt = id, expires
	return nil
}

// insertShare stores a new invitation, unless its folder is full; the
// folder's expired invitations are deleted first.
func insertShare(ctx context.Context, tx *sql.Tx, sh *quire.FolderShare, id string, email, emailIndex, tokenIndex []byte, created, expires string) error {
	// Invitations that expired unaccepted go first: they grant nothing
	// and must not fill the folder.
	if _, err := tx.ExecContext(ctx, "DELETE FROM folder_shares WHERE workspace_id = ? AND folder_id = ? AND grantee_id IS NULL AND expires_at <= ?",
		sh.WorkspaceID, sh.FolderID, created); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM folder_shares WHERE workspace_id = ? AND folder_id = ?",
		sh.WorkspaceID, sh.FolderID).Scan(&n); err != nil {
		return err
	} else if n >= quire.MaxFolderShares {
		return errTooManyShares()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO folder_shares (id, workspace_id, folder_id, email_enc, email_index, permission,
		token_index, invited_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, sh.WorkspaceID, sh.FolderID, email, emailIndex, string(sh.Permission), tokenIndex, sh.InvitedBy, created, expires)
	if isForeignKeyViolation(err) {
		return quire.Errorf(quire.ENOTFOUND, "The inviting user does not exist.")
	}
	return err
}

// shredIfGone destroys the keys of workspace ws if it was deleted while a
// share was being made: sealing the address may have made a data key for
// it. A workspace that still exists (only its folder went) keeps its keys.
func (s *ShareService) shredIfGone(ctx context.Context, ws string) {
	if quire.ErrorCode(workspaceExists(ctx, s.db, ws)) == quire.ENOTFOUND {
		shredQuietly(ctx, s.b, barrier.WorkspaceScope(ws))
	}
}

// SetSharePermission implements quire.ShareService.
func (s *ShareService) SetSharePermission(ctx context.Context, workspaceID, id string, p quire.SharePermission) (*quire.FolderShare, error) {
	if !p.Valid() {
		return nil, quire.Errorf(quire.EINVALID, "Share permission must be %q or %q.", quire.ShareRead, quire.ShareWrite)
	}
	var r *shareRow
	err := s.db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE folder_shares SET permission = ? WHERE id = ? AND workspace_id = ?", string(p), id, workspaceID)
		if err := affectedOne(res, err, "set share permission", quire.ErrShareNotFound); err != nil {
			return err
		}
		r, err = scanShare(tx.QueryRowContext(ctx, "SELECT "+shareColumns+" FROM folder_shares WHERE id = ?", id))
		return internalIf("set share permission", err)
	})
	if err != nil {
		return nil, err
	}
	return s.decode(ctx, r)
}

// DeleteShare implements quire.ShareService: the row goes, and with it the
// token's index and the grant.
func (s *ShareService) DeleteShare(ctx context.Context, workspaceID, id string) error {
	res, err := s.db.writer.ExecContext(ctx, "DELETE FROM folder_shares WHERE id = ? AND workspace_id = ?", id, workspaceID)
	return affectedOne(res, err, "delete share", quire.ErrShareNotFound)
}

// AcceptShare implements quire.ShareService with one conditional update,
// in the write transaction that then reads the share back: of two accepts
// of one invitation, the second finds no pending share with that token.
func (s *ShareService) AcceptShare(ctx context.Context, workspaceID, id string, tokenIndex []byte, userID string) (*quire.FolderShare, error) {
	if userID == "" {
		return nil, quire.Errorf(quire.EINVALID, "A share is accepted by a user.")
	}
	if !quire.ValidShareIndex(tokenIndex) {
		return nil, quire.ErrShareNotFound()
	}
	t := formatTime(now())
	var r *shareRow
	err := s.db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE folder_shares SET grantee_id = ?, accepted_at = ?, token_index = NULL
			WHERE id = ? AND workspace_id = ? AND grantee_id IS NULL AND token_index = ? AND expires_at > ?`,
			userID, t, id, workspaceID, tokenIndex, t)
		switch {
		case isUniqueViolation(err):
			return errAlreadyShared()
		case isForeignKeyViolation(err):
			return errUserNotFound()
		}
		if err := affectedOne(res, err, "accept share", quire.ErrShareNotFound); err != nil {
			return err
		}
		r, err = scanShare(tx.QueryRowContext(ctx, "SELECT "+shareColumns+" FROM folder_shares WHERE id = ?", id))
		return internalIf("accept share", err)
	})
	if err != nil {
		return nil, err
	}
	return s.decode(ctx, r)
}
