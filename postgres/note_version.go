package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// SetVersionPolicy sets which earlier versions of notes are kept. Call it
// before the service is used.
func (s *NoteService) SetVersionPolicy(p quire.VersionPolicy) { s.versions = p }

// versionRow is a note_versions row as stored: title and content are
// ciphertext bound to the row's own ID.
type versionRow struct {
	id, noteID, workspaceID string
	version                 int
	title, content          []byte
	saved                   time.Time
}

// sealVersion encrypts n's title and content, as they were at version
// n.Version, as a version row; nil if the policy keeps no versions.
func (s *NoteService) sealVersion(ctx context.Context, n *quire.Note) (*versionRow, error) {
	if s.versions.Limit() == 0 {
		return nil, nil
	}
	r := &versionRow{id: quire.NewID(), noteID: n.ID, workspaceID: n.WorkspaceID, version: n.Version, saved: n.UpdatedAt}
	scope := barrier.WorkspaceScope(n.WorkspaceID)
	var err error
	if r.title, err = s.b.Encrypt(ctx, scope, barrier.AD("note_versions", r.id, "title"), []byte(n.Title)); err != nil {
		return nil, internal("encrypt note version", err)
	}
	if r.content, err = s.b.Encrypt(ctx, scope, barrier.AD("note_versions", r.id, "content"), []byte(n.Content)); err != nil {
		return nil, internal("encrypt note version", err)
	}
	return r, nil
}

// keepVersion stores r in tx, then drops the note's versions that the
// policy no longer keeps. A nil r keeps nothing.
func (s *NoteService) keepVersion(ctx context.Context, tx pgx.Tx, r *versionRow) error {
	if r == nil {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO note_versions (id, note_id, workspace_id, version, title_enc, content_enc, saved_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.id, r.noteID, r.workspaceID, r.version, r.title, r.content, r.saved)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `DELETE FROM note_versions WHERE note_id = $1 AND (saved_at < $2
		OR version NOT IN (SELECT version FROM note_versions WHERE note_id = $1 ORDER BY version DESC LIMIT $3))`,
		r.noteID, s.versions.Cutoff(now()), s.versions.Limit())
	return err
}

var errVersionNotFound = quire.Errorf(quire.ENOTFOUND, "Note version not found.")

// FindNoteVersions implements quire.NoteVersionService.
func (s *NoteService) FindNoteVersions(ctx context.Context, workspaceID, noteID string) ([]*quire.NoteVersion, error) {
	var raw []*versionRow
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM notes WHERE id = $1 AND workspace_id = $2", noteID, workspaceID).Scan(&one); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, version, title_enc, saved_at FROM note_versions
			WHERE note_id = $1 AND workspace_id = $2 AND saved_at >= $3 ORDER BY version DESC LIMIT $4`,
			noteID, workspaceID, s.versions.Cutoff(now()), s.versions.Limit())
		if err != nil {
			return err
		}
		raw, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (*versionRow, error) {
			r := &versionRow{noteID: noteID, workspaceID: workspaceID}
			return r, row.Scan(&r.id, &r.version, &r.title, &r.saved)
		})
		return err
	})
	if notFound(err) {
		return nil, errNoteNotFound
	} else if err != nil {
		return nil, internal("find note versions", err)
	}
	out := make([]*quire.NoteVersion, 0, len(raw))
	for _, r := range raw {
		v, err := s.decryptVersion(ctx, r, false)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// FindNoteVersion implements quire.NoteVersionService.
func (s *NoteService) FindNoteVersion(ctx context.Context, workspaceID, noteID string, version int) (*quire.NoteVersion, error) {
	r := &versionRow{noteID: noteID, workspaceID: workspaceID}
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT id, version, title_enc, content_enc, saved_at FROM note_versions
			WHERE note_id = $1 AND workspace_id = $2 AND version = $3 AND saved_at >= $4`,
			noteID, workspaceID, version, s.versions.Cutoff(now())).Scan(&r.id, &r.version, &r.title, &r.content, &r.saved)
	})
	if notFound(err) {
		return nil, errVersionNotFound
	} else if err != nil {
		return nil, internal("find note version", err)
	}
	return s.decryptVersion(ctx, r, true)
}

// decryptVersion decrypts r; its content only if withContent.
func (s *NoteService) decryptVersion(ctx context.Context, r *versionRow, withContent bool) (*quire.NoteVersion, error) {
	scope := barrier.WorkspaceScope(r.workspaceID)
	v := &quire.NoteVersion{NoteID: r.noteID, Version: r.version, SavedAt: r.saved}
	title, err := s.b.Decrypt(ctx, scope, barrier.AD("note_versions", r.id, "title"), r.title)
	if err != nil {
		return nil, internal("decrypt note version", err)
	}
	v.Title = string(title)
	if withContent {
		content, err := s.b.Decrypt(ctx, scope, barrier.AD("note_versions", r.id, "content"), r.content)
		if err != nil {
			return nil, internal("decrypt note version", err)
		}
		v.Content = string(content)
	}
	return v, nil
}
