package finder

import (
	"context"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/search"
)

// put brings d into ws's cached index. A change of text is queued to be
// embedded; any other change keeps the vector.
func (s *Service) put(ws string, d search.Doc, textChanged bool) {
	d.KeepVector = !textChanged
	_ = s.cache.Upsert(ws, d) // applied only to a loaded index
	if textChanged && d.Kind != search.KindFolder {
		s.enqueue(ws, d.ID)
	}
}

// remove takes document id out of ws's index and deletes its embedding.
func (s *Service) remove(ctx context.Context, ws, id string) {
	s.cache.Remove(ws, id)
	if s.cfg.Embeddings != nil {
		if err := s.cfg.Embeddings.DeleteEmbedding(context.WithoutCancel(ctx), ws, id); err != nil {
			s.log.WarnContext(ctx, "embedding not deleted", "code", quire.ErrorCode(err))
		}
	}
}

// Notes returns notes that keep s's indexes current.
func (s *Service) Notes(notes quire.NoteService) quire.NoteService { return &noteStore{notes, s} }

type noteStore struct {
	quire.NoteService
	s *Service
}

func (n *noteStore) CreateNote(ctx context.Context, note *quire.Note) error {
	err := n.NoteService.CreateNote(ctx, note)
	if err == nil {
		n.s.put(note.WorkspaceID, noteDoc(note), true)
	}
	return err
}

func (n *noteStore) UpdateNote(ctx context.Context, ws, id string, upd quire.NoteUpdate) (*quire.Note, error) {
	note, err := n.NoteService.UpdateNote(ctx, ws, id, upd)
	if err == nil {
		n.s.put(ws, noteDoc(note), upd.Title != nil || upd.Content != nil)
	}
	return note, err
}

func (n *noteStore) DeleteNote(ctx context.Context, ws, id string) error {
	err := n.NoteService.DeleteNote(ctx, ws, id)
	if err == nil {
		n.s.remove(ctx, ws, id)
	}
	return err
}

// Ideas returns ideas that keep s's indexes current.
func (s *Service) Ideas(ideas quire.IdeaService) quire.IdeaService { return &ideaStore{ideas, s} }

type ideaStore struct {
	quire.IdeaService
	s *Service
}

func (i *ideaStore) CreateIdea(ctx context.Context, idea *quire.Idea) error {
	err := i.IdeaService.CreateIdea(ctx, idea)
	if err == nil {
		i.s.put(idea.WorkspaceID, ideaDoc(idea), true)
	}
	return err
}

func (i *ideaStore) UpdateIdea(ctx context.Context, ws, id string, upd quire.IdeaUpdate) (*quire.Idea, error) {
	idea, err := i.IdeaService.UpdateIdea(ctx, ws, id, upd)
	if err == nil {
		i.s.put(ws, ideaDoc(idea), upd.Text != nil)
	}
	return idea, err
}

func (i *ideaStore) DeleteIdea(ctx context.Context, ws, id string) error {
	err := i.IdeaService.DeleteIdea(ctx, ws, id)
	if err == nil {
		i.s.remove(ctx, ws, id)
	}
	return err
}

func (i *ideaStore) MoveIdeas(ctx context.Context, ws string, ids []string, folderID string) error {
	err := i.IdeaService.MoveIdeas(ctx, ws, ids, folderID)
	if err == nil {
		i.s.cache.Drop(ws) // many documents changed: rebuilt at the next search
	}
	return err
}

func (i *ideaStore) DeleteIdeas(ctx context.Context, ws string, ids []string) error {
	err := i.IdeaService.DeleteIdeas(ctx, ws, ids)
	if err == nil {
		for _, id := range ids {
			i.s.remove(ctx, ws, id)
		}
	}
	return err
}

func (i *ideaStore) PromoteIdea(ctx context.Context, ws, id string) (*quire.Note, error) {
	note, err := i.IdeaService.PromoteIdea(ctx, ws, id)
	if err == nil {
		i.s.remove(ctx, ws, id)
		i.s.put(ws, noteDoc(note), true)
	}
	return note, err
}

// Folders returns folders that keep s's indexes current.
func (s *Service) Folders(folders quire.FolderService) quire.FolderService {
	return &folderStore{folders, s}
}

type folderStore struct {
	quire.FolderService
	s *Service
}

func (f *folderStore) CreateFolder(ctx context.Context, folder *quire.Folder) error {
	err := f.FolderService.CreateFolder(ctx, folder)
	if err == nil {
		f.s.put(folder.WorkspaceID, folderDoc(folder), true)
	}
	return err
}

func (f *folderStore) RenameFolder(ctx context.Context, ws, id, name string) (*quire.Folder, error) {
	folder, err := f.FolderService.RenameFolder(ctx, ws, id, name)
	if err == nil {
		f.s.put(ws, folderDoc(folder), true)
	}
	return folder, err
}

func (f *folderStore) DeleteFolder(ctx context.Context, ws, id string, contents quire.FolderContents) (*quire.FolderDeletion, error) {
	del, err := f.FolderService.DeleteFolder(ctx, ws, id, contents)
	if err == nil {
		f.s.cache.Drop(ws) // its contents moved or went: rebuilt at the next search
	}
	return del, err
}

// Workspaces returns workspaces whose deletion drops their index.
func (s *Service) Workspaces(ws quire.WorkspaceService) quire.WorkspaceService {
	return &workspaceStore{ws, s}
}

type workspaceStore struct {
	quire.WorkspaceService
	s *Service
}

func (w *workspaceStore) DeleteWorkspace(ctx context.Context, id string) error {
	err := w.WorkspaceService.DeleteWorkspace(ctx, id)
	if err == nil {
		w.s.cache.Drop(id)
	}
	return err
}
