-- Data rights (claims GDPR-2 and GDPR-3). Neither table is tenant data:
-- like users and the account tables, they have no row-level security, and
-- the application role is granted its DML by the migration run
-- (postgres/migrate.go, dmlTables).
--
-- account_deletions is the durable queue of account deletions: a request
-- shreds the user's keys at once and records the deletion here; the purge
-- of the rows and files follows in the background, is resumed from this
-- table after a crash, and must be done by the deadline. The queue holds
-- identifiers and times only, never anything sealed or personal, so it
-- works once the keys are gone. user_id has no foreign key: the entry
-- outlives the user, as the proof of the deletion. workspace_ids are the
-- workspaces the user owned at the request, so that a resumed purge still
-- finds their files once their rows are gone.
CREATE TABLE account_deletions (
    user_id       text        NOT NULL PRIMARY KEY,
    requested_at  timestamptz NOT NULL,
    deadline      timestamptz NOT NULL,
    status        text        NOT NULL CHECK (status IN ('pending', 'shredded', 'done')),
    workspace_ids text[]      NOT NULL DEFAULT '{}',
    shredded_at   timestamptz,
    purged_at     timestamptz,
    CHECK ((status = 'done') = (purged_at IS NOT NULL))
);
CREATE INDEX account_deletions_status_idx ON account_deletions (status, requested_at);

-- email_changes holds a user's pending change of address until the new
-- address confirms it with the emailed link: one per user, the new address
-- sealed under the user's scope (bound to "email_changes", user_id,
-- "email"), the link's token only as its SHA-256. It goes with the user.
CREATE TABLE email_changes (
    user_id    text        NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash bytea       NOT NULL UNIQUE,
    email_enc  bytea       NOT NULL,
    expires_at timestamptz NOT NULL
);
