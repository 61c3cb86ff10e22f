package quire

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxFileName is the longest file name, in bytes of UTF-8.
const MaxFileName = 255

// maxMediaType bounds a stored media type, which is one of the blob
// store's allowlisted values ("text/markdown; charset=utf-8" at most).
const maxMediaType = 64

// EUNSUPPORTEDMEDIATYPE is an upload whose content is not of an allowed
// type, or whose name's extension does not agree with its content. The
// HTTP layer answers it with 415.
const EUNSUPPORTEDMEDIATYPE = "unsupported_media_type"

// File is an attachment's metadata. Its bytes live in the encrypted blob
// store under the same ID. Name is user content, encrypted at rest;
// MediaType is the type sniffed from the content (a fixed allowlist
// value, never user text) and Size the plaintext size, both stored in
// plain text. NoteID is "" for a file attached to no note.
type File struct {
	ID          string    `json:"fileId"`
	WorkspaceID string    `json:"workspaceId"`
	NoteID      string    `json:"noteId,omitempty"`
	Name        string    `json:"name"`
	MediaType   string    `json:"mediaType"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"createdAt"`
}

// Validate normalises the file's name (CleanFileName) and reports whether
// the file is acceptable to store.
func (f *File) Validate() error {
	if !ValidID(f.ID) {
		return Errorf(EINVALID, "File ID is not a valid identifier.")
	}
	if f.WorkspaceID == "" {
		return Errorf(EINVALID, "File workspace is required.")
	}
	if err := validateNoteRef(f.NoteID); err != nil {
		return err
	}
	if !validMediaType(f.MediaType) {
		return Errorf(EINVALID, "File media type is not valid.")
	}
	if f.Size < 0 {
		return Errorf(EINVALID, "File size must not be negative.")
	}
	name, err := CleanFileName(f.Name)
	if err != nil {
		return err
	}
	f.Name = name
	return nil
}

// validateNoteRef accepts "" (no note) or an identifier.
func validateNoteRef(id string) error {
	if id != "" && !ValidID(id) {
		return Errorf(EINVALID, "Note ID is not a valid identifier.")
	}
	return nil
}

// validMediaType reports whether mt has the shape of a media type without
// user text: "type/subtype" in lower case, optionally "; charset=utf-8".
func validMediaType(mt string) bool {
	if len(mt) == 0 || len(mt) > maxMediaType {
		return false
	}
	mt, _ = strings.CutSuffix(mt, "; charset=utf-8")
	typ, sub, ok := strings.Cut(mt, "/")
	return ok && typ != "" && sub != "" && !strings.ContainsFunc(typ, notToken) && !strings.ContainsFunc(sub, notToken)
}

func notToken(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '+' || r == '-')
}

// CleanFileName reduces name to its last path element (after the last
// slash or backslash) without surrounding white space, or returns EINVALID
// unless the result is 1 to MaxFileName bytes of valid UTF-8 without
// control characters, line breaks or bidirectional controls (which can
// disguise an extension), and is not "." or "..". The message never
// quotes the name.
func CleanFileName(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", Errorf(EINVALID, "File name must be valid UTF-8 text.")
	}
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(name)
	if len(name) == 0 || len(name) > MaxFileName || name == "." || name == ".." {
		return "", Errorf(EINVALID, "File name must be 1 to %d bytes, not counting surrounding spaces or folders.", MaxFileName)
	}
	if strings.ContainsFunc(name, forbiddenInName) {
		return "", Errorf(EINVALID, "File name must not contain control characters, line breaks or direction marks.")
	}
	return name, nil
}

// forbiddenInName reports the runes a file name may not hold.
func forbiddenInName(r rune) bool {
	switch {
	case unicode.IsControl(r), r == '\u2028', r == '\u2029':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069', r == '\u200e', r == '\u200f', r == '\u061c':
		return true // bidirectional controls
	}
	return false
}

// FileUpdate holds the fields of a file that may change; nil means
// unchanged. A NoteID pointing at "" detaches the file from its note.
type FileUpdate struct {
	Name   *string
	NoteID *string
}

// Validate normalises the new name, if any, and reports whether the
// update is acceptable to store.
func (u *FileUpdate) Validate() error {
	if u.Name != nil {
		name, err := CleanFileName(*u.Name)
		if err != nil {
			return err
		}
		u.Name = &name
	}
	if u.NoteID != nil {
		return validateNoteRef(*u.NoteID)
	}
	return nil
}

// FileFilter selects files in one workspace, newest first. NoteID nil
// selects every file, a pointer to "" the files attached to no note.
type FileFilter struct {
	WorkspaceID string
	NoteID      *string
	Offset      int
	Limit       int
}

// Validate reports whether the filter can be applied.
func (f FileFilter) Validate() error {
	if f.WorkspaceID == "" {
		return Errorf(EINVALID, "File workspace is required.")
	}
	if f.Offset < 0 || f.Limit < 0 {
		return Errorf(EINVALID, "Offset and limit must not be negative.")
	}
	if f.NoteID != nil {
		return validateNoteRef(*f.NoteID)
	}
	return nil
}

// ErrFileNotFound is the error for a file that is not in the workspace
// named, whether it never existed or belongs to another (claim ISO-1).
func ErrFileNotFound() error { return Errorf(ENOTFOUND, "File not found.") }

// ErrNoteNotFound is the error for a file attached to a note that is not
// in the file's workspace.
func ErrNoteNotFound() error { return Errorf(ENOTFOUND, "Note not found.") }

// FileService stores file metadata; the bytes are in the blob store (see
// package files, which keeps the two in step). Every call names the
// workspace; a file of another workspace is ENOTFOUND, never returned or
// changed. A file may only be attached to a note of its own workspace
// (ErrNoteNotFound otherwise), and deleting a note or a workspace deletes
// its files' rows.
type FileService interface {
	// CreateFile stores f under the ID the caller chose (the blob's),
	// setting CreatedAt and the cleaned name. An ID in use is ECONFLICT.
	CreateFile(ctx context.Context, f *File) error
	FindFileByID(ctx context.Context, workspaceID, id string) (*File, error)
	// FindFiles returns the matching files, newest first, and the total
	// count before paging.
	FindFiles(ctx context.Context, f FileFilter) ([]*File, int, error)
	// FindFileIDs returns the IDs of the matching files without reading
	// their names; a zero Limit means no limit.
	FindFileIDs(ctx context.Context, f FileFilter) ([]string, error)
	// UpdateFile renames the file or attaches it to a note or detaches it,
	// and returns it.
	UpdateFile(ctx context.Context, workspaceID, id string, upd FileUpdate) (*File, error)
	DeleteFile(ctx context.Context, workspaceID, id string) error
}
