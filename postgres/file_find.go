package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

// fileFilter validates f and returns its WHERE clause and arguments.
func fileFilter(f quire.FileFilter) (string, []any, error) {
	if err := f.Validate(); err != nil {
		return "", nil, err
	}
	where, args := "workspace_id = $1", []any{f.WorkspaceID}
	switch {
	case f.NoteID == nil:
	case *f.NoteID == "":
		where += " AND note_id IS NULL"
	default:
		args = append(args, *f.NoteID)
		where += " AND note_id = $" + strconv.Itoa(len(args))
	}
	return where, args, nil
}

// filePage returns the ORDER BY, LIMIT and OFFSET of a file query and their
// arguments after args; a zero limit means none.
func filePage(f quire.FileFilter, args []any) (string, []any) {
	var limit *int
	if f.Limit > 0 {
		limit = &f.Limit
	}
	n := len(args)
	return " ORDER BY created_at DESC, id DESC LIMIT $" + strconv.Itoa(n+1) + " OFFSET $" + strconv.Itoa(n+2),
		append(args, limit, f.Offset)
}

// FindFiles implements quire.FileService: newest first. Rows are read in
// one transaction bound to the workspace and decrypted after it.
func (s *FileService) FindFiles(ctx context.Context, f quire.FileFilter) ([]*quire.File, int, error) {
	where, args, err := fileFilter(f)
	if err != nil {
		return nil, 0, err
	}
	var rows []*fileRow
	var total int
	err = s.db.inTx(ctx, tenant(f.WorkspaceID), func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM files WHERE "+where, args...).Scan(&total); err != nil {
			return internal("count files", err)
		}
		tail, all := filePage(f, args)
		rs, err := tx.Query(ctx, "SELECT "+fileColumns+" FROM files WHERE "+where+tail, all...)
		if err != nil {
			return internal("find files", err)
		}
		rows, err = pgx.CollectRows(rs, func(r pgx.CollectableRow) (*fileRow, error) { return scanFile(r) })
		return internal("find files", err)
	})
	if err != nil {
		return nil, 0, err
	}
	out := make([]*quire.File, 0, len(rows))
	for _, r := range rows {
		file, err := s.decrypt(ctx, r)
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
	ids := []string{}
	err = s.db.inTx(ctx, tenant(f.WorkspaceID), func(tx pgx.Tx) error {
		tail, all := filePage(f, args)
		rs, err := tx.Query(ctx, "SELECT id FROM files WHERE "+where+tail, all...)
		if err != nil {
			return internal("find file IDs", err)
		}
		ids, err = pgx.CollectRows(rs, pgx.RowTo[string])
		return internal("find file IDs", err)
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}
