package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/quirehq/quire"
)

// FindIdeas implements quire.IdeaService: newest first (created_at, then
// ID, descending). The count and the page come from one snapshot, and rows
// are read before any is decrypted, so that no read connection is held
// while the barrier may need one. The total ignores f.After.
func (s *IdeaService) FindIdeas(ctx context.Context, f quire.IdeaFilter) ([]*quire.Idea, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	where, args := ideaFilter(f)
	page, pageArgs := where, args
	if f.After != nil {
		at := formatTime(f.After.CreatedAt)
		page = where + " AND (created_at < ? OR created_at = ? AND id < ?)"
		pageArgs = append(append([]any{}, args...), at, at, f.After.ID)
	}
	limit := f.Limit
	if limit == 0 {
		limit = -1 // SQLite: no limit
	}
	var total int
	var raw []*ideaRow
	err := s.db.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM ideas WHERE "+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+ideaColumns+" FROM ideas WHERE "+page+
			" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", append(pageArgs, limit, f.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanIdea(rows)
			if err != nil {
				return err
			}
			raw = append(raw, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, internal("find ideas", err)
	}
	out := make([]*quire.Idea, 0, len(raw))
	for _, r := range raw {
		i, err := s.decode(ctx, r)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, i)
	}
	return out, total, nil
}

// ideaFilter returns the WHERE clause and arguments of a valid filter,
// without its cursor.
func ideaFilter(f quire.IdeaFilter) (string, []any) {
	where, args := []string{"workspace_id = ?"}, []any{f.WorkspaceID}
	if f.FolderID != nil {
		if *f.FolderID == "" {
			where = append(where, "folder_id IS NULL")
		} else {
			where, args = append(where, "folder_id = ?"), append(args, *f.FolderID)
		}
	}
	return strings.Join(where, " AND "), args
}
