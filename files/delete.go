package files

import (
	"context"
	"strings"

	"github.com/quirehq/quire"
)

// Delete deletes a file: its row first, then its blob, so that a crash in
// between leaves only an unreadable blob for Sweep.
func (s *Service) Delete(ctx context.Context, ws, id string) error {
	if !quire.ValidID(id) {
		return quire.ErrFileNotFound()
	}
	if err := s.cfg.Files.DeleteFile(ctx, ws, id); err != nil {
		return err
	}
	s.deleteBlob(ctx, ws, id)
	return nil
}

// DeleteForNote deletes note noteID of workspace ws with its files. It
// lists the note's files, calls deleteNote (which deletes the note and,
// with it, the files' rows), and then deletes their blobs. If deleteNote
// fails, nothing is deleted. A crash after it, or a file attached to the
// note between the listing and the delete, leaves blobs without rows,
// which Sweep removes.
func (s *Service) DeleteForNote(ctx context.Context, ws, noteID string, deleteNote func(context.Context) error) error {
	if !quire.ValidID(noteID) {
		return quire.ErrNoteNotFound()
	}
	ids, err := s.cfg.Files.FindFileIDs(ctx, quire.FileFilter{WorkspaceID: ws, NoteID: &noteID})
	if err != nil {
		return err
	}
	if err := deleteNote(ctx); err != nil {
		return err
	}
	for _, id := range ids {
		s.deleteBlob(ctx, ws, id)
	}
	return nil
}

// DeleteWorkspace removes every blob of workspace ws. Call it after the
// workspace's rows and keys are deleted: its blobs are unreadable from
// then on, and this reclaims their space.
func (s *Service) DeleteWorkspace(ctx context.Context, ws string) error {
	if err := s.cfg.Blobs.DeleteWorkspace(ctx, ws); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for key := range s.orphans {
		if strings.HasPrefix(key, ws+"/") {
			delete(s.orphans, key)
		}
	}
	return nil
}
