package quire

import (
	"context"
	"time"
	"unicode/utf8"
)

// Size limits on note fields.
const (
	MaxNoteTitle   = 1 << 10
	MaxNoteContent = 1 << 20
)

// Note is a piece of writing: a title and markdown content in a workspace.
// Title and Content are user content and are encrypted at rest.
type Note struct {
	ID          string    `json:"noteId"`
	WorkspaceID string    `json:"workspaceId"`
	Title       string    `json:"title"`
	Content     string    `json:"content"`
	FolderID    string    `json:"folderId,omitempty"`
	Pinned      bool      `json:"isPinned"`
	Public      bool      `json:"isPublic"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// Validate reports whether the note's fields are acceptable to store.
func (n *Note) Validate() error {
	if n.WorkspaceID == "" {
		return Errorf(EINVALID, "Note workspace is required.")
	}
	if err := validateFolderID(n.FolderID); err != nil {
		return err
	}
	return validateNoteText(n.Title, n.Content)
}

// validateFolderID accepts "" (no folder) or an identifier. Folder IDs are
// stored in plain text, so they must never carry user content.
func validateFolderID(id string) error {
	if id != "" && !ValidID(id) {
		return Errorf(EINVALID, "Folder ID is not a valid identifier.")
	}
	return nil
}

func validateNoteText(title, content string) error {
	if len(title) > MaxNoteTitle || !utf8.ValidString(title) {
		return Errorf(EINVALID, "Note title must be valid text of at most %d bytes.", MaxNoteTitle)
	}
	if len(content) > MaxNoteContent || !utf8.ValidString(content) {
		return Errorf(EINVALID, "Note content must be valid text of at most %d bytes.", MaxNoteContent)
	}
	return nil
}

// NoteUpdate holds the fields of a note that may change; nil means unchanged.
// A FolderID pointing at "" moves the note out of any folder. IfVersion, when
// non-zero, makes the update conditional: a note at another version is not
// changed and the call fails with ECONFLICT.
type NoteUpdate struct {
	Title     *string
	Content   *string
	FolderID  *string
	Pinned    *bool
	Public    *bool
	IfVersion int
}

// Validate reports whether the update's fields are acceptable to store.
func (u NoteUpdate) Validate() error {
	var title, content string
	if u.Title != nil {
		title = *u.Title
	}
	if u.Content != nil {
		content = *u.Content
	}
	if u.FolderID != nil {
		if err := validateFolderID(*u.FolderID); err != nil {
			return err
		}
	}
	return validateNoteText(title, content)
}

// Apply copies the set fields of u onto n.
func (u NoteUpdate) Apply(n *Note) {
	if u.Title != nil {
		n.Title = *u.Title
	}
	if u.Content != nil {
		n.Content = *u.Content
	}
	if u.FolderID != nil {
		n.FolderID = *u.FolderID
	}
	if u.Pinned != nil {
		n.Pinned = *u.Pinned
	}
	if u.Public != nil {
		n.Public = *u.Public
	}
}

// NoteFilter selects notes in one workspace. Pinned notes come first, then the
// most recently updated.
type NoteFilter struct {
	WorkspaceID string
	FolderID    *string
	PinnedOnly  bool
	Offset      int
	Limit       int
}

// Validate reports whether the filter can be applied.
func (f NoteFilter) Validate() error {
	if f.WorkspaceID == "" {
		return Errorf(EINVALID, "Note workspace is required.")
	}
	if f.Offset < 0 || f.Limit < 0 {
		return Errorf(EINVALID, "Offset and limit must not be negative.")
	}
	if f.FolderID != nil {
		return validateFolderID(*f.FolderID)
	}
	return nil
}

// NoteService stores notes. Every call names the workspace; a note in another
// workspace is reported as ENOTFOUND, never returned.
type NoteService interface {
	// CreateNote stores n, setting ID, Version (1), CreatedAt and UpdatedAt.
	CreateNote(ctx context.Context, n *Note) error
	FindNoteByID(ctx context.Context, workspaceID, id string) (*Note, error)
	// FindNotes returns the matching notes and the total count before paging.
	FindNotes(ctx context.Context, f NoteFilter) ([]*Note, int, error)
	// UpdateNote applies upd and increments Version. When the title or
	// content changes, the state it replaces is kept as a NoteVersion.
	UpdateNote(ctx context.Context, workspaceID, id string, upd NoteUpdate) (*Note, error)
	// DeleteNote deletes a note and every version of it.
	DeleteNote(ctx context.Context, workspaceID, id string) error
	NoteVersionService
}
