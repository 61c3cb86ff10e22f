package files

import (
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/blob"
)

// Upload stores what r yields as a new file named name (reduced to its
// last path element) in workspace ws, attached to note noteID unless it is
// "". The type is sniffed from the first bytes: a type that is not
// allowed, or a name whose extension disagrees with the content, is
// EUNSUPPORTEDMEDIATYPE; more than MaxSize bytes is ETOOLARGE; a note not
// in the workspace is ENOTFOUND. On any failure nothing is stored. An
// error reading r is returned wrapped, for the caller to classify.
func (s *Service) Upload(ctx context.Context, ws, noteID, name string, r io.Reader) (*quire.File, error) {
	if !quire.ValidID(ws) {
		return nil, quire.Errorf(quire.EINVALID, "Workspace ID is not a valid identifier.")
	}
	if noteID != "" && !quire.ValidID(noteID) {
		return nil, quire.ErrNoteNotFound()
	}
	name, err := quire.CleanFileName(name)
	if err != nil {
		return nil, err
	}
	head, err := readHead(r)
	if err != nil {
		return nil, err
	}
	mt, err := sniff(head, name)
	if err != nil {
		return nil, err
	}
	f := &quire.File{ID: quire.NewID(), WorkspaceID: ws, NoteID: noteID, Name: name, MediaType: mt}
	if f.Size, err = s.cfg.Blobs.Put(ctx, ws, f.ID, io.MultiReader(bytes.NewReader(head), r), s.cfg.MaxSize); err != nil {
		return nil, err
	}
	if err := s.cfg.Files.CreateFile(ctx, f); err != nil {
		s.deleteBlob(ctx, ws, f.ID) // the note or workspace is gone: nothing half-done
		return nil, err
	}
	return f, nil
}

// readHead reads the first blob.SniffLen bytes of r, or all of a shorter r.
func readHead(r io.Reader) ([]byte, error) {
	head := make([]byte, blob.SniffLen)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	return head[:n], nil
}

// sniff returns the media type of a file from its first bytes and its
// name, or EUNSUPPORTEDMEDIATYPE with blob.Sniff's message, which names
// the kind of content and never the file.
func sniff(head []byte, name string) (string, error) {
	mt, err := blob.Sniff(head, name)
	if err != nil {
		return "", quire.WrapError(quire.EUNSUPPORTEDMEDIATYPE, quire.ErrorMessage(err), err)
	}
	return mt, nil
}

// Open returns a file's metadata and a reader of its bytes, decrypted as
// they are read. The reader fails at the first chunk that does not
// authenticate: a caller that streams it out must abort its response on a
// read error, not end it as if complete. The caller closes the reader.
func (s *Service) Open(ctx context.Context, ws, id string) (*quire.File, io.ReadCloser, error) {
	f, err := s.Find(ctx, ws, id)
	if err != nil {
		return nil, nil, err
	}
	rc, size, err := s.cfg.Blobs.Open(ctx, ws, id)
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		if _, again := s.Find(ctx, ws, id); quire.ErrorCode(again) == quire.ENOTFOUND {
			return nil, nil, again // deleted meanwhile: the row goes first
		}
		return nil, nil, quire.WrapError(quire.EINTERNAL, "Stored file is missing.", err)
	} else if err != nil {
		return nil, nil, err
	}
	if size != f.Size {
		_ = rc.Close()
		return nil, nil, quire.Errorf(quire.EINTERNAL, "Stored file failed its integrity check.")
	}
	return f, rc, nil
}

// Update renames a file, attaches it to a note or detaches it. A new name
// must agree with the content as the upload's did: its extension is
// checked against the file's first bytes, so that a rename cannot turn
// text into, say, an .html download.
func (s *Service) Update(ctx context.Context, ws, id string, upd quire.FileUpdate) (*quire.File, error) {
	if !quire.ValidID(id) {
		return nil, quire.ErrFileNotFound()
	}
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	if upd.Name != nil {
		if err := s.checkName(ctx, ws, id, *upd.Name); err != nil {
			return nil, err
		}
	}
	return s.cfg.Files.UpdateFile(ctx, ws, id, upd)
}

// checkName refuses a name under which the file's content would sniff as
// another type than the one stored.
func (s *Service) checkName(ctx context.Context, ws, id, name string) error {
	f, rc, err := s.Open(ctx, ws, id)
	if err != nil {
		return err
	}
	head, err := readHead(rc)
	_ = rc.Close()
	if err != nil {
		return err
	}
	mt, err := sniff(head, name)
	if err != nil {
		return err
	}
	if mt != f.MediaType {
		return quire.Errorf(quire.EUNSUPPORTEDMEDIATYPE, "The new name's extension implies another type than the file's.")
	}
	return nil
}
