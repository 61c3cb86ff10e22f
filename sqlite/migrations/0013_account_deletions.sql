-- Data rights (claims GDPR-2 and GDPR-3).
--
-- account_deletions is the durable queue of account deletions: a request
-- shreds the user's keys at once and records the deletion here; the purge
-- of the rows and files follows in the background, is resumed from this
-- table after a crash, and must be done by the deadline. The queue holds
-- identifiers and times only, never anything sealed or personal, so it
-- works once the keys are gone. user_id has no foreign key: the entry
-- outlives the user, as the proof of the deletion. workspace_ids are the
-- workspaces the user owned at the request (space-separated), so that a
-- resumed purge still finds their files once their rows are gone.
CREATE TABLE account_deletions (
    user_id       TEXT PRIMARY KEY,
    requested_at  TEXT NOT NULL,
    deadline      TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'shredded', 'done')),
    workspace_ids TEXT NOT NULL DEFAULT '',
    shredded_at   TEXT,
    purged_at     TEXT,
    CHECK ((status = 'done') = (purged_at IS NOT NULL))
) STRICT;

CREATE INDEX account_deletions_status ON account_deletions (status, requested_at);

-- email_changes holds a user's pending change of address until the new
-- address confirms it with the emailed link: one per user, the new address
-- sealed under the user's scope (bound to "email_changes", user_id,
-- "email"), the link's token only as its SHA-256. It goes with the user.
CREATE TABLE email_changes (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash BLOB NOT NULL UNIQUE,
    email_enc  BLOB NOT NULL,
    expires_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
