package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

// FindIdeas implements quire.IdeaService: newest first (created_at, then
// ID, descending). The count and the page come from one transaction; the
// texts are decrypted after it. Limit 0 means no limit; the total ignores
// f.After.
func (s *IdeaService) FindIdeas(ctx context.Context, f quire.IdeaFilter) ([]*quire.Idea, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	where, args := "workspace_id = $1", []any{f.WorkspaceID}
	if f.FolderID != nil && *f.FolderID == "" {
		where += " AND folder_id IS NULL"
	} else if f.FolderID != nil {
		args = append(args, *f.FolderID)
		where += " AND folder_id = $" + strconv.Itoa(len(args))
	}
	page, pageArgs := where, args
	if f.After != nil {
		pageArgs = append(append([]any{}, args...), f.After.CreatedAt, f.After.ID)
		n := len(pageArgs)
		page += " AND (created_at, id) < ($" + strconv.Itoa(n-1) + ", $" + strconv.Itoa(n) + ")"
	}
	var limit *int
	if f.Limit > 0 {
		limit = &f.Limit
	}
	var rows []*ideaRow
	var total int
	err := s.db.inTx(ctx, tenant(f.WorkspaceID), func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM ideas WHERE "+where, args...).Scan(&total); err != nil {
			return internal("count ideas", err)
		}
		n := len(pageArgs)
		rs, err := tx.Query(ctx, "SELECT "+ideaColumns+" FROM ideas WHERE "+page+
			" ORDER BY created_at DESC, id DESC LIMIT $"+strconv.Itoa(n+1)+" OFFSET $"+strconv.Itoa(n+2),
			append(pageArgs, limit, f.Offset)...)
		if err != nil {
			return internal("find ideas", err)
		}
		rows, err = pgx.CollectRows(rs, func(r pgx.CollectableRow) (*ideaRow, error) { return scanIdea(r) })
		return internal("find ideas", err)
	})
	if err != nil {
		return nil, 0, err
	}
	out := make([]*quire.Idea, 0, len(rows))
	for _, r := range rows {
		i, err := s.decrypt(ctx, r)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, i)
	}
	return out, total, nil
}
