package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	sqlite3 "modernc.org/sqlite/lib"
)

// FolderService stores folders, each name encrypted under its workspace's
// scope and bound to its row. Every query is bound to the workspace named
// in the call.
type FolderService struct {
	db *DB
	b  *barrier.Barrier
}

// NewFolderService returns a FolderService on db that encrypts through b.
func NewFolderService(db *DB, b *barrier.Barrier) *FolderService { return &FolderService{db: db, b: b} }

var _ quire.FolderService = (*FolderService)(nil)

// folderRow is a folders row as stored, with the counts of its contents.
type folderRow struct {
	id, workspaceID  string
	name             []byte
	created, updated string
	notes, ideas     int
}

// folderSelect reads folders with the number of notes and ideas in each.
const folderSelect = `SELECT f.id, f.workspace_id, f.name_enc, f.created_at, f.updated_at,
	(SELECT count(*) FROM notes n WHERE n.workspace_id = f.workspace_id AND n.folder_id = f.id),
	(SELECT count(*) FROM ideas i WHERE i.workspace_id = f.workspace_id AND i.folder_id = f.id)
	FROM folders f`

func scanFolder(row interface{ Scan(...any) error }) (*folderRow, error) {
	var r folderRow
	err := row.Scan(&r.id, &r.workspaceID, &r.name, &r.created, &r.updated, &r.notes, &r.ideas)
	return &r, err
}

// decode decrypts a stored row into a quire.Folder.
func (s *FolderService) decode(ctx context.Context, r *folderRow) (*quire.Folder, error) {
	f := &quire.Folder{ID: r.id, WorkspaceID: r.workspaceID, Notes: r.notes, Ideas: r.ideas}
	var err error
	if f.Name, err = unseal(ctx, s.b, barrier.WorkspaceScope(r.workspaceID), tableFolders, r.id, fieldName, r.name); err != nil {
		return nil, err
	}
	if f.CreatedAt, err = parseTime(r.created); err != nil {
		return nil, internal("read folder", err)
	}
	if f.UpdatedAt, err = parseTime(r.updated); err != nil {
		return nil, internal("read folder", err)
	}
	return f, nil
}

// errNoFolder is a folder that the call addresses directly and that does
// not exist in the workspace.
func errNoFolder() error { return quire.Errorf(quire.ENOTFOUND, "Folder not found.") }

// folderExists returns EFOLDERNOTFOUND unless workspace ws has folder id.
// Called in the transaction that writes a reference to the folder: the
// single writer connection makes the check and the write one step.
func folderExists(ctx context.Context, tx *sql.Tx, ws, id string) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM folders WHERE id = ? AND workspace_id = ?", id, ws).Scan(&n); err != nil {
		return internal("check folder", err)
	}
	if n == 0 {
		return quire.ErrFolderNotFound()
	}
	return nil
}

// isFolderMissing reports whether err is the refusal of the notes_folder_*
// triggers (migration 0006): a note written into an unknown folder.
func isFolderMissing(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_TRIGGER && strings.Contains(err.Error(), quire.EFOLDERNOTFOUND)
}

// CreateFolder implements quire.FolderService.
func (s *FolderService) CreateFolder(ctx context.Context, f *quire.Folder) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if err := workspaceExists(ctx, s.db, f.WorkspaceID); err != nil {
		return err
	}
	id, t := quire.NewID(), now()
	scope := barrier.WorkspaceScope(f.WorkspaceID)
	name, err := seal(ctx, s.b, scope, tableFolders, id, fieldName, f.Name)
	if err != nil {
		return err
	}
	err = s.db.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM folders WHERE workspace_id = ?", f.WorkspaceID).Scan(&n); err != nil {
			return internal("count folders", err)
		} else if n >= quire.MaxFolders {
			return quire.Errorf(quire.ECONFLICT, "A workspace has at most %d folders; delete one first.", quire.MaxFolders)
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO folders (id, workspace_id, name_enc, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
			id, f.WorkspaceID, name, formatTime(t), formatTime(t))
		if isForeignKeyViolation(err) {
			return errWorkspaceNotFound()
		} else if err != nil {
			return internal("insert folder", err)
		}
		return nil
	})
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		// The workspace was deleted meanwhile; shred outside the
		// transaction, which holds the one writer connection.
		shredQuietly(ctx, s.b, scope)
	}
	if err != nil {
		return err
	}
	f.ID, f.Notes, f.Ideas, f.CreatedAt, f.UpdatedAt = id, 0, 0, t, t
	return nil
}

// FindFolderByID implements quire.FolderService.
func (s *FolderService) FindFolderByID(ctx context.Context, workspaceID, id string) (*quire.Folder, error) {
	r, err := scanFolder(s.db.reader.QueryRowContext(ctx, folderSelect+" WHERE f.id = ? AND f.workspace_id = ?", id, workspaceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoFolder()
	} else if err != nil {
		return nil, internal("find folder", err)
	}
	return s.decode(ctx, r)
}

// FindFolders implements quire.FolderService. Rows are read in full before
// any is decrypted, so no read connection is held while the barrier may
// need one.
func (s *FolderService) FindFolders(ctx context.Context, workspaceID string) ([]*quire.Folder, error) {
	var raw []*folderRow
	err := s.db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, folderSelect+" WHERE f.workspace_id = ?", workspaceID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanFolder(rows)
			if err != nil {
				return err
			}
			raw = append(raw, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, internal("find folders", err)
	}
	out := make([]*quire.Folder, 0, len(raw))
	for _, r := range raw {
		f, err := s.decode(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	quire.SortFolders(out)
	return out, nil
}
