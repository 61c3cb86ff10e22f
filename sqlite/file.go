package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// FileService stores file metadata, each name encrypted under its
// workspace's scope and bound to its row. Every query is bound to the
// workspace named in the call.
type FileService struct {
	db *DB
	b  *barrier.Barrier
}

// NewFileService returns a FileService on db that encrypts through b.
func NewFileService(db *DB, b *barrier.Barrier) *FileService { return &FileService{db: db, b: b} }

var _ quire.FileService = (*FileService)(nil)

// fileRow is a files row as stored: the name is ciphertext.
type fileRow struct {
	id, workspaceID string
	noteID          sql.NullString
	name            []byte
	mediaType       string
	size            int64
	created         string
}

const fileColumns = "id, workspace_id, note_id, name_enc, media_type, size, created_at"

func scanFile(row interface{ Scan(...any) error }) (*fileRow, error) {
	var r fileRow
	err := row.Scan(&r.id, &r.workspaceID, &r.noteID, &r.name, &r.mediaType, &r.size, &r.created)
	return &r, err
}

// decode decrypts a stored row into a quire.File.
func (s *FileService) decode(ctx context.Context, r *fileRow) (*quire.File, error) {
	f := &quire.File{ID: r.id, WorkspaceID: r.workspaceID, NoteID: r.noteID.String, MediaType: r.mediaType, Size: r.size}
	var err error
	if f.Name, err = unseal(ctx, s.b, barrier.WorkspaceScope(r.workspaceID), tableFiles, r.id, fieldName, r.name); err != nil {
		return nil, err
	}
	if f.CreatedAt, err = parseTime(r.created); err != nil {
		return nil, internal("read file", err)
	}
	return f, nil
}

// nullID stores "" (no note) as NULL.
func nullID(id string) sql.NullString { return sql.NullString{String: id, Valid: id != ""} }

// noteInWorkspace returns quire.ErrNoteNotFound unless workspace ws has
// note id. Called in the transaction that attaches a file to the note: the
// single writer connection makes the check and the write one step, and
// the foreign key holds the rule in the schema too.
func noteInWorkspace(ctx context.Context, tx *sql.Tx, ws, id string) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM notes WHERE id = ? AND workspace_id = ?", id, ws).Scan(&n); err != nil {
		return internal("check note", err)
	}
	if n == 0 {
		return quire.ErrNoteNotFound()
	}
	return nil
}

// CreateFile implements quire.FileService.
func (s *FileService) CreateFile(ctx context.Context, f *quire.File) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if err := workspaceExists(ctx, s.db, f.WorkspaceID); err != nil {
		return err
	}
	t, scope := now(), barrier.WorkspaceScope(f.WorkspaceID)
	name, err := seal(ctx, s.b, scope, tableFiles, f.ID, fieldName, f.Name)
	if err != nil {
		return err
	}
	fkFailed := false
	err = s.db.write(ctx, func(tx *sql.Tx) error {
		if f.NoteID != "" {
			if err := noteInWorkspace(ctx, tx, f.WorkspaceID, f.NoteID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO files ("+fileColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			f.ID, f.WorkspaceID, nullID(f.NoteID), name, f.MediaType, f.Size, formatTime(t))
		switch {
		case isUniqueViolation(err):
			return quire.Errorf(quire.ECONFLICT, "A file with this ID exists.")
		case isForeignKeyViolation(err):
			fkFailed = true
			return errWorkspaceNotFound()
		case err != nil:
			return internal("insert file", err)
		}
		return nil
	})
	if fkFailed {
		// SQLite does not say which key failed. Only if the workspace is
		// gone did sealing make a data key for a workspace deleted
		// meanwhile; shred it outside the transaction, which holds the
		// one writer connection. Otherwise it was the note.
		if err = workspaceExists(ctx, s.db, f.WorkspaceID); err == nil {
			return quire.ErrNoteNotFound()
		} else if quire.ErrorCode(err) == quire.ENOTFOUND {
			shredQuietly(ctx, s.b, scope)
		}
	}
	if err != nil {
		return err
	}
	f.CreatedAt = t
	return nil
}

// FindFileByID implements quire.FileService.
func (s *FileService) FindFileByID(ctx context.Context, workspaceID, id string) (*quire.File, error) {
	r, err := scanFile(s.db.reader.QueryRowContext(ctx, "SELECT "+fileColumns+" FROM files WHERE id = ? AND workspace_id = ?", id, workspaceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, quire.ErrFileNotFound()
	} else if err != nil {
		return nil, internal("find file", err)
	}
	return s.decode(ctx, r)
}

// UpdateFile implements quire.FileService.
func (s *FileService) UpdateFile(ctx context.Context, workspaceID, id string, upd quire.FileUpdate) (*quire.File, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	var sets []string
	var args []any
	if upd.Name != nil {
		ct, err := seal(ctx, s.b, barrier.WorkspaceScope(workspaceID), tableFiles, id, fieldName, *upd.Name)
		if err != nil {
			return nil, err
		}
		sets, args = append(sets, "name_enc = ?"), append(args, ct)
	}
	if upd.NoteID != nil {
		sets, args = append(sets, "note_id = ?"), append(args, nullID(*upd.NoteID))
	}
	if len(sets) > 0 {
		err := s.db.write(ctx, func(tx *sql.Tx) error {
			if upd.NoteID != nil && *upd.NoteID != "" {
				if err := noteInWorkspace(ctx, tx, workspaceID, *upd.NoteID); err != nil {
					return err
				}
			}
			res, err := tx.ExecContext(ctx, "UPDATE files SET "+strings.Join(sets, ", ")+" WHERE id = ? AND workspace_id = ?",
				append(args, id, workspaceID)...)
			if err != nil {
				return internal("update file", err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return quire.ErrFileNotFound()
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return s.FindFileByID(ctx, workspaceID, id)
}

// DeleteFile implements quire.FileService.
func (s *FileService) DeleteFile(ctx context.Context, workspaceID, id string) error {
	res, err := s.db.writer.ExecContext(ctx, "DELETE FROM files WHERE id = ? AND workspace_id = ?", id, workspaceID)
	if err != nil {
		return internal("delete file", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return quire.ErrFileNotFound()
	}
	return nil
}
