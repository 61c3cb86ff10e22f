// Package export builds archives of a user's data (claim GDPR-1): on
// request, a background worker writes a ZIP of the user's account and of
// the content of the workspaces they own — profile, folders, notes
// (Markdown, and JSON with metadata and version history), ideas (CSV and
// JSON), chats, files, sessions and security events — with the workspaces
// they belong to and the folder shares they take part in listed (never the
// content of another owner's workspace, nor of a folder shared with them),
// a README and a manifest that lists every file with its size and SHA-256.
//
// The archive is streamed: the ZIP is written into the encrypted blob
// store as it is built, never whole in memory, so a large account exports
// in bounded memory. It is sealed under a data key of its own (the blob
// store's envelope encryption, wrapped by the barrier), which is shredded
// when the archive is deleted: after its first complete download, or at
// its expiry (7 days by default), whichever comes first.
//
// The export rows are the durable queue: an export is built under the
// lease of one instance, renewed while it builds, and an export whose
// lease ended (its instance stopped or crashed in the middle) is built
// again from the start by the next worker to look, so a crash still ends
// with an archive and no instance takes over an export another is still
// building. One export per user may be queued or running at a time, and a
// user may start only a few per day. A ready archive is claimed by its
// download, so that two downloads never both stream it.
//
// Limitation: archives are kept on the local disk of the instance that
// built them, so with several instances a download reaches its archive
// only on that instance (elsewhere it answers that the export is gone).
package export
