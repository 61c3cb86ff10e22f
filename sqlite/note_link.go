package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/quirehq/quire"
)

// NoteLinkService stores public note links: the blind index of each
// link's token, never the token. Nothing in a link is user content, so
// nothing is encrypted.
type NoteLinkService struct{ db *DB }

// NewNoteLinkService returns a NoteLinkService on db.
func NewNoteLinkService(db *DB) *NoteLinkService { return &NoteLinkService{db: db} }

var _ quire.NoteLinkService = (*NoteLinkService)(nil)

// CreateNoteLink implements quire.NoteLinkService. The check that the note
// is the workspace's and the upsert run in one write transaction, so a
// link never names a note of another workspace.
func (s *NoteLinkService) CreateNoteLink(ctx context.Context, workspaceID, noteID string, allowIndexing bool, tokenIndex []byte) (*quire.NoteLink, error) {
	if !quire.ValidNoteLinkIndex(tokenIndex) {
		return nil, quire.Errorf(quire.EINVALID, "Note link token index must be %d bytes.", quire.NoteLinkIndexSize)
	}
	l := &quire.NoteLink{NoteID: noteID, WorkspaceID: workspaceID, AllowIndexing: allowIndexing, CreatedAt: now()}
	err := s.db.write(ctx, func(tx *sql.Tx) error {
		var n int
		err := tx.QueryRowContext(ctx, "SELECT count(*) FROM notes WHERE id = ? AND workspace_id = ?", noteID, workspaceID).Scan(&n)
		if err != nil {
			return internal("check note", err)
		} else if n == 0 {
			return errNoteNotFound()
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO note_links (token_index, note_id, workspace_id, allow_indexing, created_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (note_id) DO UPDATE SET token_index = excluded.token_index,
			allow_indexing = excluded.allow_indexing, created_at = excluded.created_at`,
			tokenIndex, noteID, workspaceID, allowIndexing, formatTime(l.CreatedAt))
		if isUniqueViolation(err) { // another note's token: a 2^-256 chance
			return quire.Errorf(quire.ECONFLICT, "The note link could not be made: try again.")
		}
		return err
	})
	var qe *quire.Error
	if err != nil && !errors.As(err, &qe) {
		err = internal("create note link", err)
	}
	if err != nil {
		return nil, err
	}
	return l, nil
}

// FindNoteLink implements quire.NoteLinkService.
func (s *NoteLinkService) FindNoteLink(ctx context.Context, workspaceID, noteID string) (*quire.NoteLink, error) {
	l := &quire.NoteLink{NoteID: noteID, WorkspaceID: workspaceID}
	var created string
	err := s.db.reader.QueryRowContext(ctx, "SELECT allow_indexing, created_at FROM note_links WHERE note_id = ? AND workspace_id = ?",
		noteID, workspaceID).Scan(&l.AllowIndexing, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, quire.ErrNoteLinkNotFound()
	} else if err != nil {
		return nil, internal("find note link", err)
	}
	if l.CreatedAt, err = parseTime(created); err != nil {
		return nil, internal("read note link", err)
	}
	return l, nil
}

// DeleteNoteLink implements quire.NoteLinkService.
func (s *NoteLinkService) DeleteNoteLink(ctx context.Context, workspaceID, noteID string) error {
	res, err := s.db.writer.ExecContext(ctx, "DELETE FROM note_links WHERE note_id = ? AND workspace_id = ?", noteID, workspaceID)
	return affectedOne(res, err, "delete note link", quire.ErrNoteLinkNotFound)
}

// ResolveNoteLink implements quire.NoteLinkService.
func (s *NoteLinkService) ResolveNoteLink(ctx context.Context, tokenIndex []byte) (*quire.NoteLink, error) {
	if !quire.ValidNoteLinkIndex(tokenIndex) {
		return nil, quire.ErrNoteLinkNotFound()
	}
	l := &quire.NoteLink{}
	err := s.db.reader.QueryRowContext(ctx, "SELECT note_id, workspace_id, allow_indexing FROM note_links WHERE token_index = ?",
		tokenIndex).Scan(&l.NoteID, &l.WorkspaceID, &l.AllowIndexing)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, quire.ErrNoteLinkNotFound()
	} else if err != nil {
		return nil, internal("resolve note link", err)
	}
	return l, nil
}
