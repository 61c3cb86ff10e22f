package sqlite

import (
	"context"
	"database/sql"
	"errors"

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
	saved                   string
}

// sealVersion encrypts cur's title and content as a version row, or
// returns nil if the policy keeps no versions.
func (s *NoteService) sealVersion(ctx context.Context, cur *quire.Note) (*versionRow, error) {
	if s.versions.Limit() == 0 {
		return nil, nil
	}
	r := &versionRow{id: quire.NewID(), noteID: cur.ID, workspaceID: cur.WorkspaceID,
		version: cur.Version, saved: formatTime(cur.UpdatedAt)}
	scope := barrier.WorkspaceScope(cur.WorkspaceID)
	var err error
	if r.title, err = seal(ctx, s.b, scope, tableVersions, r.id, fieldTitle, cur.Title); err != nil {
		return nil, err
	}
	if r.content, err = seal(ctx, s.b, scope, tableVersions, r.id, fieldContent, cur.Content); err != nil {
		return nil, err
	}
	return r, nil
}

// keepVersion stores r in tx, then drops the note's versions that the
// policy no longer keeps. A nil r keeps nothing.
func (s *NoteService) keepVersion(ctx context.Context, tx *sql.Tx, r *versionRow) error {
	if r == nil {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO note_versions (id, note_id, workspace_id, version, title_enc, content_enc, saved_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.id, r.noteID, r.workspaceID, r.version, r.title, r.content, r.saved)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM note_versions WHERE note_id = ? AND workspace_id = ? AND (saved_at < ?
		OR version NOT IN (SELECT version FROM note_versions WHERE note_id = ? ORDER BY version DESC LIMIT ?))`,
		r.noteID, r.workspaceID, s.cutoff(), r.noteID, s.versions.Limit())
	return err
}

// cutoff is the oldest save time kept, formatted for comparison; "" keeps
// every age.
func (s *NoteService) cutoff() string {
	c := s.versions.Cutoff(now())
	if c.IsZero() {
		return ""
	}
	return formatTime(c)
}

func errVersionNotFound() error { return quire.Errorf(quire.ENOTFOUND, "Note version not found.") }

// FindNoteVersions implements quire.NoteVersionService.
func (s *NoteService) FindNoteVersions(ctx context.Context, workspaceID, noteID string) ([]*quire.NoteVersion, error) {
	if _, err := s.FindNoteByID(ctx, workspaceID, noteID); err != nil {
		return nil, err
	}
	var raw []*versionRow
	err := s.db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, version, title_enc, saved_at FROM note_versions
			WHERE note_id = ? AND workspace_id = ? AND saved_at >= ? ORDER BY version DESC LIMIT ?`,
			noteID, workspaceID, s.cutoff(), s.versions.Limit())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r := &versionRow{noteID: noteID, workspaceID: workspaceID}
			if err := rows.Scan(&r.id, &r.version, &r.title, &r.saved); err != nil {
				return err
			}
			raw = append(raw, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, internal("find note versions", err)
	}
	out := make([]*quire.NoteVersion, 0, len(raw))
	for _, r := range raw {
		v, err := s.decodeVersion(ctx, r, false)
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
	err := s.db.reader.QueryRowContext(ctx, `SELECT id, version, title_enc, content_enc, saved_at FROM note_versions
		WHERE note_id = ? AND workspace_id = ? AND version = ? AND saved_at >= ?`,
		noteID, workspaceID, version, s.cutoff()).Scan(&r.id, &r.version, &r.title, &r.content, &r.saved)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errVersionNotFound()
	} else if err != nil {
		return nil, internal("find note version", err)
	}
	return s.decodeVersion(ctx, r, true)
}

// decodeVersion decrypts r; its content only if withContent.
func (s *NoteService) decodeVersion(ctx context.Context, r *versionRow, withContent bool) (*quire.NoteVersion, error) {
	scope := barrier.WorkspaceScope(r.workspaceID)
	v := &quire.NoteVersion{NoteID: r.noteID, Version: r.version}
	var err error
	if v.Title, err = unseal(ctx, s.b, scope, tableVersions, r.id, fieldTitle, r.title); err != nil {
		return nil, err
	}
	if withContent {
		if v.Content, err = unseal(ctx, s.b, scope, tableVersions, r.id, fieldContent, r.content); err != nil {
			return nil, err
		}
	}
	if v.SavedAt, err = parseTime(r.saved); err != nil {
		return nil, internal("read note version", err)
	}
	return v, nil
}
