package quire

import (
	"context"
	"time"
)

// NoteLinkIndexPurpose is the blind-index purpose of note link tokens: a
// store keeps only this keyed index of a token, never the token itself.
const NoteLinkIndexPurpose = "note_links"

// NoteLinkIndexSize is the size of a token's blind index (HMAC-SHA256).
const NoteLinkIndexSize = 32

// NoteLink is a public read-only link to one note. The link's token is
// shown once, when the link is made; the store keeps only its blind index.
// AllowIndexing lets search engines index the public page.
type NoteLink struct {
	NoteID        string
	WorkspaceID   string
	AllowIndexing bool
	CreatedAt     time.Time
}

// NoteLinkService stores public note links. A note has at most one link:
// creating another replaces it, and the old token stops working at once.
// Every call but ResolveNoteLink names the workspace, and a note of another
// workspace is ENOTFOUND, as is a note without a link.
type NoteLinkService interface {
	// CreateNoteLink makes (or replaces) the note's link, whose token has
	// the blind index tokenIndex (NoteLinkIndexSize bytes).
	CreateNoteLink(ctx context.Context, workspaceID, noteID string, allowIndexing bool, tokenIndex []byte) (*NoteLink, error)
	// FindNoteLink returns the note's link.
	FindNoteLink(ctx context.Context, workspaceID, noteID string) (*NoteLink, error)
	// DeleteNoteLink revokes the note's link.
	DeleteNoteLink(ctx context.Context, workspaceID, noteID string) error
	// ResolveNoteLink finds the link whose token has the blind index
	// tokenIndex, across workspaces: an unknown or revoked token is
	// ENOTFOUND. CreatedAt is left zero: the caller needs only the note.
	ResolveNoteLink(ctx context.Context, tokenIndex []byte) (*NoteLink, error)
}

// ErrNoteLinkNotFound is the error for a missing note link, whatever the
// reason (no such note, another workspace's note, no link, unknown token).
func ErrNoteLinkNotFound() error { return Errorf(ENOTFOUND, "Note link not found.") }

// ValidNoteLinkIndex reports whether b can be a token's blind index.
func ValidNoteLinkIndex(b []byte) bool { return len(b) == NoteLinkIndexSize }
