package finder

import (
	"bytes"
	"context"
	"crypto/sha256"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/search"
)

// maxEmbedText bounds the text of a document that is embedded: its title
// and the start of its body.
const maxEmbedText = 16 << 10

// noteDoc is a note as a search document.
func noteDoc(n *quire.Note) search.Doc {
	return search.Doc{ID: n.ID, Kind: search.KindNote, FolderID: n.FolderID, Title: n.Title, Body: n.Content, Updated: n.UpdatedAt}
}

// ideaDoc is an idea as a search document.
func ideaDoc(i *quire.Idea) search.Doc {
	return search.Doc{ID: i.ID, Kind: search.KindIdea, FolderID: i.FolderID, Body: i.Text, Updated: i.UpdatedAt}
}

// folderDoc is a folder's name as a search document.
func folderDoc(f *quire.Folder) search.Doc {
	return search.Doc{ID: f.ID, Kind: search.KindFolder, Title: f.Name, Updated: f.UpdatedAt}
}

// embedText is what is embedded of d, and its hash.
func embedText(d search.Doc) (string, []byte) {
	text := d.Title + "\n" + d.Body
	if len(text) > maxEmbedText {
		text = text[:maxEmbedText]
		for len(text) > 0 && text[len(text)-1]&0xC0 == 0x80 {
			text = text[:len(text)-1]
		}
	}
	h := sha256.Sum256([]byte(text))
	return text, h[:]
}

// load reads a workspace's documents for its index, with the stored
// embeddings of those whose text has not changed since; the others are
// queued to be embedded.
func (s *Service) load(ctx context.Context, ws string) ([]search.Doc, error) {
	notes, _, err := s.cfg.Notes.FindNotes(ctx, quire.NoteFilter{WorkspaceID: ws})
	if err != nil {
		return nil, err
	}
	ideas, _, err := s.cfg.Ideas.FindIdeas(ctx, quire.IdeaFilter{WorkspaceID: ws})
	if err != nil {
		return nil, err
	}
	folders, err := s.cfg.Folders.FindFolders(ctx, ws)
	if err != nil {
		return nil, err
	}
	docs := make([]search.Doc, 0, len(notes)+len(ideas)+len(folders))
	for _, n := range notes {
		docs = append(docs, noteDoc(n))
	}
	for _, i := range ideas {
		docs = append(docs, ideaDoc(i))
	}
	for _, f := range folders {
		docs = append(docs, folderDoc(f))
	}
	if s.semantic() {
		if err := s.attachVectors(ctx, ws, docs); err != nil {
			return nil, err
		}
	}
	return docs, nil
}

// attachVectors gives each note and idea its stored vector when the
// stored one embeds its current text, and queues the rest. Embeddings of
// documents that are gone are deleted.
func (s *Service) attachVectors(ctx context.Context, ws string, docs []search.Doc) error {
	stored, err := s.cfg.Embeddings.FindEmbeddings(ctx, ws)
	if err != nil {
		return err
	}
	byDoc := make(map[string]*quire.Embedding, len(stored))
	for _, e := range stored {
		byDoc[e.DocID] = e
	}
	for i := range docs {
		d := &docs[i]
		if d.Kind == search.KindFolder {
			continue
		}
		_, hash := embedText(*d)
		e := byDoc[d.ID]
		delete(byDoc, d.ID)
		if e != nil && e.Model == s.cfg.EmbedModel && bytes.Equal(e.TextHash, hash) {
			d.Vector = e.Vector
			continue
		}
		s.enqueue(ws, d.ID)
	}
	for id := range byDoc { // documents deleted with their folder, or in bulk
		if err := s.cfg.Embeddings.DeleteEmbedding(ctx, ws, id); err != nil {
			return err
		}
	}
	return nil
}
