-- Data exports (claim GDPR-1): one row per archive a user asked for. The
-- row holds identifiers, counts and times only, never anything of the
-- archive, which is stored encrypted in the export store (under the data
-- directory) while ready and deleted once downloaded or expired. The rows
-- are the user's, not a workspace's, and go with the user (ON DELETE
-- CASCADE). At most one export per user is queued or running.
--
-- A running export is built under the lease of one instance (lease_owner
-- until lease_until, renewed while it builds): another instance takes it
-- over only once the lease has ended. download_until is how long one
-- download holds a ready export, so that no second download streams it.
CREATE TABLE exports (
    id          TEXT    PRIMARY KEY,
    user_id     TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state       TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'ready', 'failed', 'expired', 'downloaded')),
    items_done  INTEGER NOT NULL DEFAULT 0 CHECK (items_done >= 0),
    items_total INTEGER NOT NULL DEFAULT 0 CHECK (items_total >= 0),
    created_at  TEXT    NOT NULL,
    finished_at TEXT,
    expires_at  TEXT,
    size        INTEGER NOT NULL DEFAULT 0 CHECK (size >= 0),
    sha256      TEXT    NOT NULL DEFAULT '',
    fail_code   TEXT    NOT NULL DEFAULT '',
    lease_owner TEXT    NOT NULL DEFAULT '',
    lease_until TEXT,
    download_until TEXT
) STRICT;

CREATE INDEX exports_user ON exports (user_id, created_at);
CREATE INDEX exports_state ON exports (state, created_at);
CREATE UNIQUE INDEX exports_one_active ON exports (user_id) WHERE state IN ('queued', 'running');
