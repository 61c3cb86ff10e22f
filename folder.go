package quire

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on folders.
const (
	// MaxFolderName is the longest folder name, in characters (runes).
	MaxFolderName = 200
	// MaxFolders is how many folders one workspace may have: the list is
	// read and decrypted whole, so it must stay small.
	MaxFolders = 1000
)

// EFOLDERNOTFOUND is a note or idea written into a folder that does not
// exist in its workspace: a folder of another workspace is unknown alike
// (claim ISO-1). The HTTP layer answers it with 422: the request is well
// formed and its target exists, but the folder it names does not.
const EFOLDERNOTFOUND = "folder_not_found"

// ErrFolderNotFound returns the EFOLDERNOTFOUND error the stores report.
func ErrFolderNotFound() error {
	return Errorf(EFOLDERNOTFOUND, "The folder does not exist.")
}

// Folder groups notes and ideas: one flat set of folders per workspace,
// shared by notes and ideas, with no nesting. Name is user content,
// encrypted at rest; since the stored names are ciphertext, the store
// cannot compare them, and two folders may have the same name.
//
// Notes and Ideas count what the folder holds; the stores set them when
// they read folders, and ignore them on writes.
type Folder struct {
	ID          string    `json:"folderId"`
	WorkspaceID string    `json:"workspaceId"`
	Name        string    `json:"name"`
	Notes       int       `json:"noteCount"`
	Ideas       int       `json:"ideaCount"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// Validate normalises the folder's name (CleanFolderName) and reports
// whether the folder is acceptable to store.
func (f *Folder) Validate() error {
	if f.WorkspaceID == "" {
		return Errorf(EINVALID, "Folder workspace is required.")
	}
	name, err := CleanFolderName(f.Name)
	if err != nil {
		return err
	}
	f.Name = name
	return nil
}

// CleanFolderName returns name without leading and trailing white space,
// or EINVALID unless the result is 1 to MaxFolderName characters of valid
// UTF-8 without control characters (line and paragraph separators
// included). The message never quotes the name.
func CleanFolderName(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", Errorf(EINVALID, "Folder name must be valid UTF-8 text.")
	}
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n == 0 || n > MaxFolderName {
		return "", Errorf(EINVALID, "Folder name must be 1 to %d characters, not counting surrounding spaces.", MaxFolderName)
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return "", Errorf(EINVALID, "Folder name must not contain control characters or line breaks.")
		}
	}
	return name, nil
}

// FolderContents says what deleting a folder does with the notes and
// ideas in it.
type FolderContents string

// What DeleteFolder does with a folder's contents.
const (
	// UnfileContents moves the notes and ideas out of any folder; they are
	// otherwise unchanged. It is the default.
	UnfileContents FolderContents = "unfile"
	// DeleteContents deletes the notes and ideas with the folder.
	DeleteContents FolderContents = "delete"
)

// Valid reports whether c is one of the defined values.
func (c FolderContents) Valid() bool { return c == UnfileContents || c == DeleteContents }

// FolderDeletion reports what DeleteFolder did with the folder's contents:
// how many notes and ideas it moved out of the folder or deleted.
type FolderDeletion struct {
	Contents FolderContents `json:"contents"`
	Notes    int            `json:"notes"`
	Ideas    int            `json:"ideas"`
}

// SortFolders puts folders in name order after decryption: by name
// ignoring case, then by name, then by ID, so that the order is total and
// the same on every store.
func SortFolders(fs []*Folder) {
	slices.SortFunc(fs, func(a, b *Folder) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)),
			cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
}

// FolderService stores folders. Every call names the workspace; a folder
// of another workspace is ENOTFOUND, never returned or changed.
//
// Notes and ideas may only name a folder of their own workspace that
// exists: the note and idea stores check it in the transaction that
// writes them (EFOLDERNOTFOUND otherwise), and DeleteFolder moves or
// deletes the contents in the transaction that deletes the folder, so no
// note or idea is ever left in a deleted folder.
type FolderService interface {
	// CreateFolder stores f, setting ID, CreatedAt and UpdatedAt and the
	// cleaned name. A workspace that has MaxFolders already is ECONFLICT.
	CreateFolder(ctx context.Context, f *Folder) error
	// FindFolderByID returns a folder with its counts.
	FindFolderByID(ctx context.Context, workspaceID, id string) (*Folder, error)
	// FindFolders returns every folder of the workspace with its counts,
	// in SortFolders order.
	FindFolders(ctx context.Context, workspaceID string) ([]*Folder, error)
	// RenameFolder sets the folder's name and returns it.
	RenameFolder(ctx context.Context, workspaceID, id, name string) (*Folder, error)
	// DeleteFolder deletes the folder and, in the same transaction, moves
	// its notes and ideas out of any folder (UnfileContents) or deletes
	// them (DeleteContents).
	DeleteFolder(ctx context.Context, workspaceID, id string, contents FolderContents) (*FolderDeletion, error)
}
