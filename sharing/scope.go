package sharing

import (
	"context"

	"github.com/quirehq/quire"
)

// Notes and ideas of a shared folder are reached through these two
// wrappers: each holds one grant and lets through only what it allows.
// They see the grant's workspace and folder alone: a note or idea of any
// other folder or workspace is not found, as if it did not exist; a write
// needs ShareWrite; nothing in the folder can leave it, and nothing can be
// published or unpublished (public links are the owner's decision). A
// shared note's kept versions go with it.
//
// A note update is made conditional on the version whose folder was
// checked, so it never lands on a note the owner moved out meanwhile.
// Deletes, idea updates and promotions check the folder just before they
// act: one racing the owner's move of the same item can still land, with
// the effect it would have had a moment earlier, while the item was in the
// folder; an idea update never changes the idea's folder.

func errReadOnly() error {
	return quire.Errorf(quire.EFORBIDDEN, "This folder is shared with you read-only.")
}

func errStays() error {
	return quire.Errorf(quire.EFORBIDDEN, "Notes and ideas of a shared folder stay in it: only the owner can move them out.")
}

// FolderNotes returns notes restricted to the folder and permission of g.
// Service.Notes adds a check of the share before every write.
func FolderNotes(notes quire.NoteService, g *quire.ShareGrant) quire.NoteService {
	return &folderNotes{inner: notes, g: g}
}

type folderNotes struct {
	inner quire.NoteService
	g     *quire.ShareGrant
	// recheck, if set, confirms just before a write that the share
	// still exists and allows it.
	recheck func(context.Context) error
}

func (s *folderNotes) writable() error { return writable(s.g) }

func writable(g *quire.ShareGrant) error {
	if g.Permission != quire.ShareWrite {
		return errReadOnly()
	}
	return nil
}

// confirm runs recheck, if any.
func confirm(ctx context.Context, recheck func(context.Context) error) error {
	if recheck == nil {
		return nil
	}
	return recheck(ctx)
}

// CreateNote stores n in the shared folder; a note without a folder goes
// there, one naming another folder is refused.
func (s *folderNotes) CreateNote(ctx context.Context, n *quire.Note) error {
	if err := s.writable(); err != nil {
		return err
	}
	if n.WorkspaceID != s.g.WorkspaceID {
		return quire.Errorf(quire.ENOTFOUND, "Folder not found.")
	}
	if n.FolderID != "" && n.FolderID != s.g.FolderID {
		return errStays()
	}
	if n.Public {
		return errNoPublish()
	}
	n.FolderID = s.g.FolderID
	if err := confirm(ctx, s.recheck); err != nil {
		return err
	}
	return s.inner.CreateNote(ctx, n)
}

func errNoPublish() error {
	return quire.Errorf(quire.EFORBIDDEN, "Only the owner can publish or unpublish a note of a shared folder.")
}

// FindNoteByID returns the note if it is in the shared folder.
func (s *folderNotes) FindNoteByID(ctx context.Context, workspaceID, id string) (*quire.Note, error) {
	if workspaceID != s.g.WorkspaceID {
		return nil, quire.Errorf(quire.ENOTFOUND, "Note not found.")
	}
	n, err := s.inner.FindNoteByID(ctx, workspaceID, id)
	if err != nil {
		return nil, err
	}
	if n.FolderID != s.g.FolderID {
		return nil, quire.Errorf(quire.ENOTFOUND, "Note not found.")
	}
	return n, nil
}

// FindNotes lists the shared folder's notes; a filter naming another
// folder matches nothing.
func (s *folderNotes) FindNotes(ctx context.Context, f quire.NoteFilter) ([]*quire.Note, int, error) {
	if f.WorkspaceID != s.g.WorkspaceID || f.FolderID != nil && *f.FolderID != s.g.FolderID {
		return []*quire.Note{}, 0, nil
	}
	folder := s.g.FolderID
	f.FolderID = &folder
	return s.inner.FindNotes(ctx, f)
}

// UpdateNote changes a note of the shared folder. It may not move the note
// out, publish or unpublish it. The write is made conditional on the
// version that was checked: a version the caller names must be that one,
// and a note changed or moved meanwhile is not written (ECONFLICT).
func (s *folderNotes) UpdateNote(ctx context.Context, workspaceID, id string, upd quire.NoteUpdate) (*quire.Note, error) {
	if err := s.writable(); err != nil {
		return nil, err
	}
	if upd.FolderID != nil && *upd.FolderID != s.g.FolderID {
		return nil, errStays()
	}
	if upd.Public != nil {
		return nil, errNoPublish()
	}
	n, err := s.FindNoteByID(ctx, workspaceID, id)
	if err != nil {
		return nil, err
	}
	if upd.IfVersion != 0 && upd.IfVersion != n.Version {
		return nil, quire.Errorf(quire.ECONFLICT, "The note is at version %d, not %d.", n.Version, upd.IfVersion)
	}
	upd.IfVersion = n.Version
	if err := confirm(ctx, s.recheck); err != nil {
		return nil, err
	}
	return s.inner.UpdateNote(ctx, workspaceID, id, upd)
}

// DeleteNote deletes a note of the shared folder.
func (s *folderNotes) DeleteNote(ctx context.Context, workspaceID, id string) error {
	if err := s.writable(); err != nil {
		return err
	}
	if _, err := s.FindNoteByID(ctx, workspaceID, id); err != nil {
		return err
	}
	if err := confirm(ctx, s.recheck); err != nil {
		return err
	}
	return s.inner.DeleteNote(ctx, workspaceID, id)
}

// FindNoteVersions lists the kept versions of a note of the shared folder.
func (s *folderNotes) FindNoteVersions(ctx context.Context, workspaceID, noteID string) ([]*quire.NoteVersion, error) {
	if _, err := s.FindNoteByID(ctx, workspaceID, noteID); err != nil {
		return nil, err
	}
	return s.inner.FindNoteVersions(ctx, workspaceID, noteID)
}

// FindNoteVersion returns a kept version of a note of the shared folder.
func (s *folderNotes) FindNoteVersion(ctx context.Context, workspaceID, noteID string, version int) (*quire.NoteVersion, error) {
	if _, err := s.FindNoteByID(ctx, workspaceID, noteID); err != nil {
		return nil, err
	}
	return s.inner.FindNoteVersion(ctx, workspaceID, noteID, version)
}

// FolderIdeas returns ideas restricted to the folder and permission of g.
// Bulk moves are refused; bulk deletes and promotion work within the
// folder. Service.Ideas adds a check of the share before every write.
func FolderIdeas(ideas quire.IdeaService, g *quire.ShareGrant) quire.IdeaService {
	return &folderIdeas{inner: ideas, g: g}
}

type folderIdeas struct {
	inner   quire.IdeaService
	g       *quire.ShareGrant
	recheck func(context.Context) error
}

func (s *folderIdeas) writable() error { return writable(s.g) }

// CreateIdea stores i in the shared folder, as CreateNote does a note.
func (s *folderIdeas) CreateIdea(ctx context.Context, i *quire.Idea) error {
	if err := s.writable(); err != nil {
		return err
	}
	if i.WorkspaceID != s.g.WorkspaceID {
		return quire.Errorf(quire.ENOTFOUND, "Folder not found.")
	}
	if i.FolderID != "" && i.FolderID != s.g.FolderID {
		return errStays()
	}
	i.FolderID = s.g.FolderID
	if err := confirm(ctx, s.recheck); err != nil {
		return err
	}
	return s.inner.CreateIdea(ctx, i)
}

// FindIdeaByID returns the idea if it is in the shared folder.
func (s *folderIdeas) FindIdeaByID(ctx context.Context, workspaceID, id string) (*quire.Idea, error) {
	if workspaceID != s.g.WorkspaceID {
		return nil, quire.Errorf(quire.ENOTFOUND, "Idea not found.")
	}
	i, err := s.inner.FindIdeaByID(ctx, workspaceID, id)
	if err != nil {
		return nil, err
	}
	if i.FolderID != s.g.FolderID {
		return nil, quire.Errorf(quire.ENOTFOUND, "Idea not found.")
	}
	return i, nil
}

// FindIdeas lists the shared folder's ideas; a filter naming another
// folder matches nothing.
func (s *folderIdeas) FindIdeas(ctx context.Context, f quire.IdeaFilter) ([]*quire.Idea, int, error) {
	if f.WorkspaceID != s.g.WorkspaceID || f.FolderID != nil && *f.FolderID != s.g.FolderID {
		return []*quire.Idea{}, 0, nil
	}
	folder := s.g.FolderID
	f.FolderID = &folder
	return s.inner.FindIdeas(ctx, f)
}

// UpdateIdea changes the text of an idea of the shared folder, which
// stays in it: a folder given must be the shared one, and is not written.
func (s *folderIdeas) UpdateIdea(ctx context.Context, workspaceID, id string, upd quire.IdeaUpdate) (*quire.Idea, error) {
	if err := s.writable(); err != nil {
		return nil, err
	}
	if upd.FolderID != nil && *upd.FolderID != s.g.FolderID {
		return nil, errStays()
	}
	upd.FolderID = nil
	i, err := s.FindIdeaByID(ctx, workspaceID, id)
	if err != nil || upd.Text == nil {
		return i, err
	}
	if err := confirm(ctx, s.recheck); err != nil {
		return nil, err
	}
	return s.inner.UpdateIdea(ctx, workspaceID, id, upd)
}

// DeleteIdea deletes an idea of the shared folder.
func (s *folderIdeas) DeleteIdea(ctx context.Context, workspaceID, id string) error {
	if err := s.writable(); err != nil {
		return err
	}
	if _, err := s.FindIdeaByID(ctx, workspaceID, id); err != nil {
		return err
	}
	if err := confirm(ctx, s.recheck); err != nil {
		return err
	}
	return s.inner.DeleteIdea(ctx, workspaceID, id)
}

// MoveIdeas is refused: ideas of a shared folder stay in it.
func (s *folderIdeas) MoveIdeas(ctx context.Context, workspaceID string, ids []string, folderID string) error {
	if err := s.writable(); err != nil {
		return err
	}
	return errStays()
}

// DeleteIdeas deletes ideas of the shared folder, all or nothing: one
// outside it is ENOTFOUND and nothing is deleted.
func (s *folderIdeas) DeleteIdeas(ctx context.Context, workspaceID string, ids []string) error {
	if err := s.writable(); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := s.FindIdeaByID(ctx, workspaceID, id); err != nil {
			return err
		}
	}
	if err := confirm(ctx, s.recheck); err != nil {
		return err
	}
	return s.inner.DeleteIdeas(ctx, workspaceID, ids)
}

// PromoteIdea turns an idea of the shared folder into a note there.
func (s *folderIdeas) PromoteIdea(ctx context.Context, workspaceID, id string) (*quire.Note, error) {
	if err := s.writable(); err != nil {
		return nil, err
	}
	if _, err := s.FindIdeaByID(ctx, workspaceID, id); err != nil {
		return nil, err
	}
	if err := confirm(ctx, s.recheck); err != nil {
		return nil, err
	}
	return s.inner.PromoteIdea(ctx, workspaceID, id)
}

var (
	_ quire.NoteService = (*folderNotes)(nil)
	_ quire.IdeaService = (*folderIdeas)(nil)
)
