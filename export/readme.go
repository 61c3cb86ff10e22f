package export

import (
	"fmt"
	"io"
	"time"

	"github.com/quirehq/quire"
)

// writeReadme writes README.md: what the archive holds and how it is laid
// out.
func writeReadme(w io.Writer, u *quire.User, c counts, at time.Time) error {
	_, err := fmt.Fprintf(w, `# Your Quire data

This archive holds your Quire account and the content of the workspaces
you own, as of %s. It was made for account %s.

It holds %d notes, %d ideas, %d conversations and %d files from the
workspaces you own. The workspaces you are a member of and the folders
shared with you are listed (workspaces.json, shares.json), but their
content is not in this archive: it belongs to their owners, even where you
wrote some of it. Ask the owner of a workspace for an export of it.

## Layout

- manifest.json — every other file of this archive with its size in bytes
  and its SHA-256, to check that nothing is missing or changed.
- profile.json — your account: email, name, API keys (names only, never
  the secrets) and privacy settings.
- workspaces.json — the workspaces you own (with their members) or belong to;
  a workspace deleted by its owner is listed as "deleted workspace", without
  its name.
- folders.json — the folders of your workspaces.
- notes/<workspace>/<folder>/<title>-<id>.md — each note's text as Markdown;
  the .json beside it holds its metadata and its earlier versions. Notes in
  no folder sit directly in the workspace's directory.
- ideas.csv and ideas.json — your ideas, newest first (a cell that starts
  with = + - or @ is prefixed with an apostrophe in the CSV).
- chats/<id>.json — each conversation with its messages.
- files/<id>-<name> — the bytes of each file; files.json holds their names,
  types and notes.
- shares.json — the folders your workspaces share with others, and those
  shared with you (identifiers only, not their content).
- sessions.json — your signed-in sessions (never their tokens).
- security-events.json — the security events of your account (sign-ins,
  changes of password, keys and second factors), newest first.

Times are UTC, in RFC 3339. Identifiers are the ones the Quire API uses.

Keep this archive safe: it holds your data unencrypted.
`, at.UTC().Format(time.RFC3339), u.ID, c.Notes, c.Ideas, c.Chats, c.Files)
	return err
}
