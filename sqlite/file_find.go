package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/quirehq/quire"
)

// FindFiles implements quire.FileService: newest first. The count and the
// page come from one snapshot, and rows are read before any is decrypted,
// so that no read connection is held while the barrier may need one.
func (s *FileService) FindFiles(ctx context.Context, f quire.FileFilter) ([]*quire.File, int, error) {
	where, args, err := fileFilter(f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	var raw []*fileRow
	err = s.db.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM files WHERE "+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+fileColumns+" FROM files WHERE "+where+
			" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", append(args, sqlLimit(f.Limit), f.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanFile(rows)
			if err != nil {
				return err
			}
			raw = append(raw, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, internal("find files", err)
	}
	out := make([]*quire.File, 0, len(raw))
	for _, r := range raw {
		file, err := s.decode(ctx, r)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, file)
	}
	return out, total, nil
}

// FindFileIDs implements quire.FileService.
func (s *FileService) FindFileIDs(ctx context.Context, f quire.FileFilter) ([]string, error) {
	where, args, err := fileFilter(f)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.reader.QueryContext(ctx, "SELECT id FROM files WHERE "+where+
		" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", append(args, sqlLimit(f.Limit), f.Offset)...)
	if err != nil {
		return nil, internal("find file IDs", err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, internal("find file IDs", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("find file IDs", err)
	}
	return ids, nil
}

// sqlLimit is a filter's limit for SQLite, where -1 means none.
func sqlLimit(limit int) int {
	if limit == 0 {
		return -1
	}
	return limit
}

// fileFilter validates f and returns its WHERE clause and arguments.
func fileFilter(f quire.FileFilter) (string, []any, error) {
	if err := f.Validate(); err != nil {
		return "", nil, err
	}
	where, args := []string{"workspace_id = ?"}, []any{f.WorkspaceID}
	if f.NoteID != nil {
		if *f.NoteID == "" {
			where = append(where, "note_id IS NULL")
		} else {
			where, args = append(where, "note_id = ?"), append(args, *f.NoteID)
		}
	}
	return strings.Join(where, " AND "), args, nil
}
