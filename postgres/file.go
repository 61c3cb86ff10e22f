package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// FileService stores file metadata, each name encrypted under its
// workspace's scope and bound to its row, every transaction bound to that
// workspace.
type FileService struct {
	db *DB
	b  *barrier.Barrier
}

var _ quire.FileService = (*FileService)(nil)

// NewFileService returns a file service over db that encrypts with b.
func NewFileService(db *DB, b *barrier.Barrier) *FileService { return &FileService{db: db, b: b} }

// fileRow is a files row as stored.
type fileRow struct {
	id, workspace string
	note          *string
	name          []byte
	mediaType     string
	size          int64
	created       time.Time
}

const fileColumns = "id, workspace_id, note_id, name_enc, media_type, size, created_at"

func scanFile(row pgx.Row) (*fileRow, error) {
	var r fileRow
	if err := row.Scan(&r.id, &r.workspace, &r.note, &r.name, &r.mediaType, &r.size, &r.created); err != nil {
		return nil, err
	}
	return &r, nil
}

// fileAD is the associated data of a file's name.
func fileAD(id string) []byte { return barrier.AD("files", id, "name") }

func (s *FileService) sealName(ctx context.Context, ws, id, name string) ([]byte, error) {
	ct, err := s.b.Encrypt(ctx, barrier.WorkspaceScope(ws), fileAD(id), []byte(name))
	return ct, internal("encrypt file name", err)
}

func (s *FileService) decrypt(ctx context.Context, r *fileRow) (*quire.File, error) {
	name, err := s.b.Decrypt(ctx, barrier.WorkspaceScope(r.workspace), fileAD(r.id), r.name)
	if err != nil {
		return nil, internal("decrypt file name", err)
	}
	f := &quire.File{ID: r.id, WorkspaceID: r.workspace, Name: string(name), MediaType: r.mediaType,
		Size: r.size, CreatedAt: r.created.UTC()}
	if r.note != nil {
		f.NoteID = *r.note
	}
	return f, nil
}

// nullID stores "" (no note) as NULL.
func nullID(id string) *string {
	if id == "" {
		return nil
	}
	return &id
}

// fileWriteError maps the constraint errors of a files write: the note
// key (a note not in the workspace), the workspace key, the primary key.
func fileWriteError(op string, err error) error {
	var pgErr *pgconn.PgError
	switch {
	case !errors.As(err, &pgErr):
		return internal(op, err)
	case pgErr.Code == codeForeignKeyViolation && pgErr.ConstraintName == "files_note_fkey":
		return quire.ErrNoteNotFound()
	case pgErr.Code == codeForeignKeyViolation:
		return errWorkspaceNotFound
	case pgErr.Code == codeUniqueViolation:
		return quire.Errorf(quire.ECONFLICT, "A file with this ID exists.")
	}
	return internal(op, err)
}

// CreateFile implements quire.FileService.
func (s *FileService) CreateFile(ctx context.Context, f *quire.File) error {
	if err := f.Validate(); err != nil {
		return err
	}
	t := now()
	name, err := s.sealName(ctx, f.WorkspaceID, f.ID, f.Name)
	if err != nil {
		return err
	}
	err = s.db.inTx(ctx, tenant(f.WorkspaceID), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO files ("+fileColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7)",
			f.ID, f.WorkspaceID, nullID(f.NoteID), name, f.MediaType, f.Size, t)
		return fileWriteError("create file", err)
	})
	if errors.Is(err, errWorkspaceNotFound) {
		// Encrypting made a data key for a workspace that does not exist.
		_ = s.b.Shred(context.WithoutCancel(ctx), barrier.WorkspaceScope(f.WorkspaceID))
	}
	if err != nil {
		return err
	}
	f.CreatedAt = t
	return nil
}

// FindFileByID implements quire.FileService.
func (s *FileService) FindFileByID(ctx context.Context, workspaceID, id string) (*quire.File, error) {
	var r *fileRow
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		var err error
		r, err = scanFile(tx.QueryRow(ctx, "SELECT "+fileColumns+" FROM files WHERE id = $1 AND workspace_id = $2", id, workspaceID))
		if notFound(err) {
			return quire.ErrFileNotFound()
		}
		return internal("find file", err)
	})
	if err != nil {
		return nil, err
	}
	return s.decrypt(ctx, r)
}

// UpdateFile implements quire.FileService.
func (s *FileService) UpdateFile(ctx context.Context, workspaceID, id string, upd quire.FileUpdate) (*quire.File, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	sets, args := []string{}, []any{id, workspaceID}
	if upd.Name != nil {
		ct, err := s.sealName(ctx, workspaceID, id, *upd.Name)
		if err != nil {
			return nil, err
		}
		args = append(args, ct)
		sets = append(sets, "name_enc = $"+strconv.Itoa(len(args)))
	}
	if upd.NoteID != nil {
		args = append(args, nullID(*upd.NoteID))
		sets = append(sets, "note_id = $"+strconv.Itoa(len(args)))
	}
	if len(sets) == 0 {
		return s.FindFileByID(ctx, workspaceID, id)
	}
	var r *fileRow
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		var err error
		r, err = scanFile(tx.QueryRow(ctx, "UPDATE files SET "+strings.Join(sets, ", ")+
			" WHERE id = $1 AND workspace_id = $2 RETURNING "+fileColumns, args...))
		if notFound(err) {
			return quire.ErrFileNotFound()
		}
		return fileWriteError("update file", err)
	})
	if err != nil {
		return nil, err
	}
	return s.decrypt(ctx, r)
}

// DeleteFile implements quire.FileService.
func (s *FileService) DeleteFile(ctx context.Context, workspaceID, id string) error {
	return s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM files WHERE id = $1 AND workspace_id = $2", id, workspaceID)
		if err != nil {
			return internal("delete file", err)
		}
		if tag.RowsAffected() == 0 {
			return quire.ErrFileNotFound()
		}
		return nil
	})
}
