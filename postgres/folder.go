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

// FolderService stores folders, each name encrypted under its workspace's
// scope and bound to its row, every transaction bound to that workspace.
type FolderService struct {
	db *DB
	b  *barrier.Barrier
}

var _ quire.FolderService = (*FolderService)(nil)

// NewFolderService returns a folder service over db that encrypts with b.
func NewFolderService(db *DB, b *barrier.Barrier) *FolderService { return &FolderService{db: db, b: b} }

// folderRow is a folders row as stored, with the counts of its contents.
type folderRow struct {
	id, workspace    string
	name             []byte
	created, updated time.Time
	notes, ideas     int
}

// folderSelect reads folders with the number of notes and ideas in each.
const folderSelect = `SELECT f.id, f.workspace_id, f.name_enc, f.created_at, f.updated_at,
	(SELECT count(*) FROM notes n WHERE n.workspace_id = f.workspace_id AND n.folder_ref = f.id),
	(SELECT count(*) FROM ideas i WHERE i.workspace_id = f.workspace_id AND i.folder_id = f.id)
	FROM folders f`

func scanFolder(row pgx.Row) (*folderRow, error) {
	var r folderRow
	if err := row.Scan(&r.id, &r.workspace, &r.name, &r.created, &r.updated, &r.notes, &r.ideas); err != nil {
		return nil, err
	}
	return &r, nil
}

// sealField encrypts one field of one row of a workspace's table.
func sealField(ctx context.Context, b *barrier.Barrier, ws, table, id, field, plaintext string) ([]byte, error) {
	ct, err := b.Encrypt(ctx, barrier.WorkspaceScope(ws), barrier.AD(table, id, field), []byte(plaintext))
	return ct, internal("encrypt "+table, err)
}

// openField decrypts one field of one row of a workspace's table.
func openField(ctx context.Context, b *barrier.Barrier, ws, table, id, field string, ct []byte) (string, error) {
	pt, err := b.Decrypt(ctx, barrier.WorkspaceScope(ws), barrier.AD(table, id, field), ct)
	if err != nil {
		return "", internal("decrypt "+table, err)
	}
	return string(pt), nil
}

func (s *FolderService) decrypt(ctx context.Context, r *folderRow) (*quire.Folder, error) {
	name, err := openField(ctx, s.b, r.workspace, "folders", r.id, "name", r.name)
	if err != nil {
		return nil, err
	}
	return &quire.Folder{ID: r.id, WorkspaceID: r.workspace, Name: name, Notes: r.notes, Ideas: r.ideas,
		CreatedAt: r.created.UTC(), UpdatedAt: r.updated.UTC()}, nil
}

// errNoFolder is a folder that the call addresses directly and that does
// not exist in the workspace.
var errNoFolder = quire.Errorf(quire.ENOTFOUND, "Folder not found.")

// lockFolder returns EFOLDERNOTFOUND unless the transaction's workspace
// has folder id, and holds a key-share lock on it until the transaction
// ends: a concurrent DeleteFolder, which locks the folder for update
// first, then waits, and moves or deletes what this transaction wrote.
func lockFolder(ctx context.Context, tx pgx.Tx, ws, id string) error {
	var one int
	err := tx.QueryRow(ctx, "SELECT 1 FROM folders WHERE id = $1 AND workspace_id = $2 FOR KEY SHARE", id, ws).Scan(&one)
	if notFound(err) {
		return quire.ErrFolderNotFound()
	}
	return internal("check folder", err)
}

// folderRefs are the foreign keys from notes and ideas to folders
// (migration 0008).
var folderRefs = map[string]bool{"notes_folder_fkey": true, "ideas_folder_fkey": true}

// isFolderViolation reports whether err is a note or idea written into a
// folder its workspace does not have.
func isFolderViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == codeForeignKeyViolation && folderRefs[pgErr.ConstraintName]
}

// workspaceExists returns ENOTFOUND unless workspace ws exists.
func (db *DB) workspaceExists(ctx context.Context, ws string) error {
	return db.inTx(ctx, tenant(ws), func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM workspaces WHERE id = $1", ws).Scan(&one)
		if notFound(err) {
			return errWorkspaceNotFound
		}
		return internal("find workspace", err)
	})
}

// CreateFolder implements quire.FolderService. The workspace row is locked
// while the folders are counted, so concurrent creates cannot pass
// quire.MaxFolders together.
func (s *FolderService) CreateFolder(ctx context.Context, f *quire.Folder) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if err := s.db.workspaceExists(ctx, f.WorkspaceID); err != nil {
		return err // checked first: sealing would make a key for it
	}
	id, t := quire.NewID(), now()
	name, err := sealField(ctx, s.b, f.WorkspaceID, "folders", id, "name", f.Name)
	if err != nil {
		return err
	}
	err = s.db.inTx(ctx, tenant(f.WorkspaceID), func(tx pgx.Tx) error {
		var n int
		err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM folders WHERE workspace_id = w.id) FROM workspaces w
			WHERE w.id = $1 FOR NO KEY UPDATE OF w`, f.WorkspaceID).Scan(&n)
		if notFound(err) {
			return quire.Errorf(quire.ENOTFOUND, "Workspace not found.")
		} else if err != nil {
			return internal("count folders", err)
		} else if n >= quire.MaxFolders {
			return quire.Errorf(quire.ECONFLICT, "A workspace has at most %d folders; delete one first.", quire.MaxFolders)
		}
		_, err = tx.Exec(ctx, "INSERT INTO folders (id, workspace_id, name_enc, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
			id, f.WorkspaceID, name, t)
		return internal("create folder", err)
	})
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		// Deleted meanwhile: encrypting made a data key for it.
		_ = s.b.Shred(context.WithoutCancel(ctx), barrier.WorkspaceScope(f.WorkspaceID))
	}
	if err != nil {
		return err
	}
	f.ID, f.Notes, f.Ideas, f.CreatedAt, f.UpdatedAt = id, 0, 0, t, t
	return nil
}

// findRow reads one folder in a transaction bound to its workspace.
func (s *FolderService) findRow(ctx context.Context, ws, id string) (*folderRow, error) {
	var r *folderRow
	err := s.db.inTx(ctx, tenant(ws), func(tx pgx.Tx) error {
		var err error
		r, err = scanFolder(tx.QueryRow(ctx, folderSelect+" WHERE f.id = $1 AND f.workspace_id = $2", id, ws))
		if notFound(err) {
			return errNoFolder
		}
		return internal("find folder", err)
	})
	return r, err
}

// FindFolderByID implements quire.FolderService.
func (s *FolderService) FindFolderByID(ctx context.Context, workspaceID, id string) (*quire.Folder, error) {
	r, err := s.findRow(ctx, workspaceID, id)
	if err != nil {
		return nil, err
	}
	return s.decrypt(ctx, r)
}

// FindFolders implements quire.FolderService. The names are decrypted
// after the transaction, then sorted.
func (s *FolderService) FindFolders(ctx context.Context, workspaceID string) ([]*quire.Folder, error) {
	var rows []*folderRow
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		rs, err := tx.Query(ctx, folderSelect+" WHERE f.workspace_id = $1", workspaceID)
		if err != nil {
			return internal("find folders", err)
		}
		rows, err = pgx.CollectRows(rs, func(r pgx.CollectableRow) (*folderRow, error) { return scanFolder(r) })
		return internal("find folders", err)
	})
	if err != nil {
		return nil, err
	}
	out := make([]*quire.Folder, 0, len(rows))
	for _, r := range rows {
		f, err := s.decrypt(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	quire.SortFolders(out)
	return out, nil
}
