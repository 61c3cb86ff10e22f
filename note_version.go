package quire

import (
	"context"
	"time"
)

// DefaultKeepVersions is how many earlier versions of each note are kept
// when the policy does not say.
const DefaultKeepVersions = 100

// NoteVersion is an earlier state of a note's title and content, kept when
// a save changed either. Version is the last version of the note that
// had this state (a save that changed neither, a pin say, moves it on),
// and SavedAt is when the note reached that version. Title and Content are user
// content and are encrypted at rest.
type NoteVersion struct {
	NoteID  string    `json:"noteId"`
	Version int       `json:"version"`
	Title   string    `json:"title"`
	Content string    `json:"content"`
	SavedAt time.Time `json:"savedAt"`
}

// VersionPolicy says which earlier versions of a note are kept. A save that
// changes a note's title or content keeps the state it replaces, then drops
// all but the newest Keep versions of that note and those saved more than
// MaxAge ago. Versions past MaxAge are no longer listed from then on and
// are deleted at the note's next save.
type VersionPolicy struct {
	// Keep is how many versions of each note are kept: 0 means
	// DefaultKeepVersions, a negative value none.
	Keep int
	// MaxAge, if positive, is how long a version is kept.
	MaxAge time.Duration
}

// Limit returns how many versions p keeps per note.
func (p VersionPolicy) Limit() int {
	switch {
	case p.Keep == 0:
		return DefaultKeepVersions
	case p.Keep < 0:
		return 0
	}
	return p.Keep
}

// Cutoff returns the oldest save time p keeps at now; the zero time if
// age does not matter.
func (p VersionPolicy) Cutoff(now time.Time) time.Time {
	if p.MaxAge <= 0 {
		return time.Time{}
	}
	return now.Add(-p.MaxAge)
}

// NoteVersionService reads the kept versions of notes. Like NoteService,
// every call names the workspace, and a note of another workspace is
// ENOTFOUND.
type NoteVersionService interface {
	// FindNoteVersions lists a note's kept versions, newest first, with
	// their titles but not their contents.
	FindNoteVersions(ctx context.Context, workspaceID, noteID string) ([]*NoteVersion, error)
	// FindNoteVersion returns one kept version in full.
	FindNoteVersion(ctx context.Context, workspaceID, noteID string, version int) (*NoteVersion, error)
}
