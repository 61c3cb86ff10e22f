package quire

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on ideas.
const (
	// MaxIdeaText is the longest idea, in characters (runes).
	MaxIdeaText = 10_000
	// MaxBulkIdeas is how many ideas one bulk move or delete may name.
	MaxBulkIdeas = 500
)

// Idea is a short piece of text captured quickly, optionally in a folder
// (see Folder). Text is user content and is encrypted at rest.
type Idea struct {
	ID          string    `json:"ideaId"`
	WorkspaceID string    `json:"workspaceId"`
	Text        string    `json:"text"`
	FolderID    string    `json:"folderId,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// Validate reports whether the idea's fields are acceptable to store. The
// text is stored exactly as given.
func (i *Idea) Validate() error {
	if i.WorkspaceID == "" {
		return Errorf(EINVALID, "Idea workspace is required.")
	}
	if err := validateFolderID(i.FolderID); err != nil {
		return err
	}
	return validateIdeaText(i.Text)
}

// validateIdeaText accepts 1 to MaxIdeaText characters of valid UTF-8
// with something besides white space, and no control characters but tab,
// line feed and carriage return.
func validateIdeaText(text string) error {
	if !utf8.ValidString(text) {
		return Errorf(EINVALID, "Idea text must be valid UTF-8 text.")
	}
	if n := utf8.RuneCountInString(text); n == 0 || n > MaxIdeaText {
		return Errorf(EINVALID, "Idea text must be 1 to %d characters.", MaxIdeaText)
	}
	if strings.TrimSpace(text) == "" {
		return Errorf(EINVALID, "Idea text must not be only white space.")
	}
	for _, r := range text {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return Errorf(EINVALID, "Idea text must not contain control characters other than tab and line breaks.")
		}
	}
	return nil
}

// IdeaUpdate holds the fields of an idea that may change; nil means
// unchanged. A FolderID pointing at "" moves the idea out of any folder.
type IdeaUpdate struct {
	Text     *string
	FolderID *string
}

// Validate reports whether the update's fields are acceptable to store.
func (u IdeaUpdate) Validate() error {
	if u.FolderID != nil {
		if err := validateFolderID(*u.FolderID); err != nil {
			return err
		}
	}
	if u.Text != nil {
		return validateIdeaText(*u.Text)
	}
	return nil
}

// Apply copies the set fields of u onto i.
func (u IdeaUpdate) Apply(i *Idea) {
	if u.Text != nil {
		i.Text = *u.Text
	}
	if u.FolderID != nil {
		i.FolderID = *u.FolderID
	}
}

// IdeaCursor is a position in the list order of ideas (newest first:
// CreatedAt descending, then ID descending).
type IdeaCursor struct {
	CreatedAt time.Time
	ID        string
}

// IdeaFilter selects ideas of one workspace, newest first. A FolderID
// pointing at "" selects the ideas in no folder. After, when set, starts
// the list after that position (keyset paging, for exports); Limit 0
// means no limit.
type IdeaFilter struct {
	WorkspaceID string
	FolderID    *string
	After       *IdeaCursor
	Offset      int
	Limit       int
}

// Validate reports whether the filter can be applied.
func (f IdeaFilter) Validate() error {
	if f.WorkspaceID == "" {
		return Errorf(EINVALID, "Idea workspace is required.")
	}
	if f.Offset < 0 || f.Limit < 0 {
		return Errorf(EINVALID, "Offset and limit must not be negative.")
	}
	if f.After != nil && !ValidID(f.After.ID) {
		return Errorf(EINVALID, "The cursor's idea ID is not a valid identifier.")
	}
	if f.FolderID != nil {
		return validateFolderID(*f.FolderID)
	}
	return nil
}

// ValidateIdeaIDs reports whether ids can name the ideas of a bulk
// operation: 1 to MaxBulkIdeas identifiers, none twice.
func ValidateIdeaIDs(ids []string) error {
	if len(ids) == 0 || len(ids) > MaxBulkIdeas {
		return Errorf(EINVALID, "A bulk operation takes 1 to %d idea IDs.", MaxBulkIdeas)
	}
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		if !ValidID(id) {
			return Errorf(EINVALID, "Idea ID number %d is not a valid identifier.", i+1)
		}
		if seen[id] {
			return Errorf(EINVALID, "Idea ID number %d repeats an earlier one.", i+1)
		}
		seen[id] = true
	}
	return nil
}

// PromotedTitle returns the title of the note an idea is promoted to: its
// first line that is not blank (lines end at a line feed or a carriage
// return), without surrounding white space, cut to at most MaxNoteTitle
// bytes on a character boundary.
func PromotedTitle(text string) string {
	var line string
	for _, l := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if line = strings.TrimSpace(l); line != "" {
			break
		}
	}
	if len(line) <= MaxNoteTitle {
		return line
	}
	cut := MaxNoteTitle
	for cut > 0 && !utf8.RuneStart(line[cut]) {
		cut--
	}
	return strings.TrimSpace(line[:cut])
}

// IdeaService stores ideas. Every call names the workspace; an idea of
// another workspace is ENOTFOUND, never returned or changed. An idea may
// only name a folder of its own workspace that exists (EFOLDERNOTFOUND),
// checked in the transaction that writes it.
type IdeaService interface {
	// CreateIdea stores i, setting ID, CreatedAt and UpdatedAt.
	CreateIdea(ctx context.Context, i *Idea) error
	FindIdeaByID(ctx context.Context, workspaceID, id string) (*Idea, error)
	// FindIdeas returns the matching ideas, newest first, and the total
	// count before paging.
	FindIdeas(ctx context.Context, f IdeaFilter) ([]*Idea, int, error)
	// UpdateIdea applies upd and returns the idea.
	UpdateIdea(ctx context.Context, workspaceID, id string, upd IdeaUpdate) (*Idea, error)
	DeleteIdea(ctx context.Context, workspaceID, id string) error
	// MoveIdeas moves every idea of ids into folderID ("" for none), all
	// or nothing: if one is not found (ENOTFOUND) or the folder is not
	// (EFOLDERNOTFOUND), nothing changes.
	MoveIdeas(ctx context.Context, workspaceID string, ids []string, folderID string) error
	// DeleteIdeas deletes every idea of ids, all or nothing: if one is
	// not found (ENOTFOUND), nothing is deleted.
	DeleteIdeas(ctx context.Context, workspaceID string, ids []string) error
	// PromoteIdea turns an idea into a note in one transaction: the note's
	// title is PromotedTitle of the text, its content the whole text, its
	// folder the idea's; the idea is deleted. It returns the new note.
	PromoteIdea(ctx context.Context, workspaceID, id string) (*Note, error)
}
