// Package storetest is the conformance suite that every Quire store backend
// must pass: SQLite and PostgreSQL run the same tests through Run, so the two
// cannot drift apart in behaviour, error codes, tenant isolation or
// encryption at rest.
//
// A backend's test calls Run with a function that opens a fresh, migrated,
// empty database and a barrier over it. That barrier must be opened with
// BarrierOptions, so that the suite can move the barrier's clock past its
// cache TTL before it retires keys.
//
// The suite fixes a few points that the service interfaces leave open:
//   - timestamps are UTC and are truncated to the store's precision before
//     they are returned, so that what a Create returns equals what a Find
//     reads back (microseconds suit both stores);
//   - a folder ID is empty or has the shape of quire.NewID, since it is stored
//     in plain text and must never carry user content;
//   - a workspace's owner, a member, and a note's workspace must exist
//     (ENOTFOUND otherwise), and a user who owns a workspace cannot be deleted
//     (ECONFLICT);
//   - NoteFilter.Limit 0 means no limit, and a negative Offset or Limit is
//     EINVALID.
package storetest
