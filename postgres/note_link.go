package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

// NoteLinkService stores public note links: the blind index of each
// link's token, never the token. Every call but ResolveNoteLink runs in a
// transaction bound to the workspace it names.
type NoteLinkService struct{ db *DB }

// NewNoteLinkService returns a note link service over db.
func NewNoteLinkService(db *DB) *NoteLinkService { return &NoteLinkService{db: db} }

var _ quire.NoteLinkService = (*NoteLinkService)(nil)

// CreateNoteLink implements quire.NoteLinkService. The note is locked
// while its link is replaced, so concurrent creations end with one link.
// Row-level security hides another workspace's note from the check; the
// foreign key alone would not (it sees every note).
func (s *NoteLinkService) CreateNoteLink(ctx context.Context, workspaceID, noteID string, allowIndexing bool, tokenIndex []byte) (*quire.NoteLink, error) {
	if !quire.ValidNoteLinkIndex(tokenIndex) {
		return nil, quire.Errorf(quire.EINVALID, "Note link token index must be %d bytes.", quire.NoteLinkIndexSize)
	}
	l := &quire.NoteLink{NoteID: noteID, WorkspaceID: workspaceID, AllowIndexing: allowIndexing, CreatedAt: now()}
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM notes WHERE id = $1 AND workspace_id = $2 FOR UPDATE", noteID, workspaceID).Scan(&one)
		if notFound(err) {
			return errNoteNotFound
		} else if err != nil {
			return internal("check note", err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO note_links (token_index, note_id, workspace_id, allow_indexing, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (note_id) DO UPDATE SET token_index = EXCLUDED.token_index,
			allow_indexing = EXCLUDED.allow_indexing, created_at = EXCLUDED.created_at`,
			tokenIndex, noteID, workspaceID, allowIndexing, l.CreatedAt)
		if pgCode(err) == codeUniqueViolation { // another note's token: a 2^-256 chance
			return quire.Errorf(quire.ECONFLICT, "The note link could not be made: try again.")
		}
		return internal("create note link", err)
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// FindNoteLink implements quire.NoteLinkService.
func (s *NoteLinkService) FindNoteLink(ctx context.Context, workspaceID, noteID string) (*quire.NoteLink, error) {
	l := &quire.NoteLink{NoteID: noteID, WorkspaceID: workspaceID}
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, "SELECT allow_indexing, created_at FROM note_links WHERE note_id = $1 AND workspace_id = $2",
			noteID, workspaceID).Scan(&l.AllowIndexing, &l.CreatedAt)
		if notFound(err) {
			return quire.ErrNoteLinkNotFound()
		}
		return internal("find note link", err)
	})
	if err != nil {
		return nil, err
	}
	l.CreatedAt = l.CreatedAt.UTC()
	return l, nil
}

// DeleteNoteLink implements quire.NoteLinkService.
func (s *NoteLinkService) DeleteNoteLink(ctx context.Context, workspaceID, noteID string) error {
	return s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM note_links WHERE note_id = $1 AND workspace_id = $2", noteID, workspaceID)
		if err != nil {
			return internal("delete note link", err)
		}
		if tag.RowsAffected() == 0 {
			return quire.ErrNoteLinkNotFound()
		}
		return nil
	})
}

// ResolveNoteLink implements quire.NoteLinkService through quire_note_link,
// the one cross-tenant read of note_links (migration 0012): the request
// that opens a public link is bound to no workspace.
func (s *NoteLinkService) ResolveNoteLink(ctx context.Context, tokenIndex []byte) (*quire.NoteLink, error) {
	if !quire.ValidNoteLinkIndex(tokenIndex) {
		return nil, quire.ErrNoteLinkNotFound()
	}
	l := &quire.NoteLink{}
	err := s.db.inTx(ctx, binding{}, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, "SELECT workspace_id, note_id, allow_indexing FROM quire_note_link($1)",
			tokenIndex).Scan(&l.WorkspaceID, &l.NoteID, &l.AllowIndexing)
		if notFound(err) {
			return quire.ErrNoteLinkNotFound()
		}
		return internal("resolve note link", err)
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}
