-- Data exports (claim GDPR-1): one row per archive a user asked for. Like
-- users and the account tables, this is user data, not tenant data: no
-- row-level security, and the application role is granted its DML by the
-- migration run (postgres/migrate.go, dmlTables); every query names the
-- user. The row holds identifiers, counts and times only, never anything
-- of the archive, which is stored encrypted in the export store while
-- ready and deleted once downloaded or expired. The rows go with the user
-- (ON DELETE CASCADE). At most one export per user is queued or running.
--
-- A running export is built under the lease of one instance (lease_owner
-- until lease_until, renewed while it builds): another instance takes it
-- over only once the lease has ended. download_until is how long one
-- download holds a ready export, so that no second download streams it.
CREATE TABLE exports (
    id          text        NOT NULL PRIMARY KEY,
    user_id     text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state       text        NOT NULL CHECK (state IN ('queued', 'running', 'ready', 'failed', 'expired', 'downloaded')),
    items_done  integer     NOT NULL DEFAULT 0 CHECK (items_done >= 0),
    items_total integer     NOT NULL DEFAULT 0 CHECK (items_total >= 0),
    created_at  timestamptz NOT NULL,
    finished_at timestamptz,
    expires_at  timestamptz,
    size        bigint      NOT NULL DEFAULT 0 CHECK (size >= 0),
    sha256      text        NOT NULL DEFAULT '',
    fail_code   text        NOT NULL DEFAULT '',
    lease_owner text        NOT NULL DEFAULT '',
    lease_until timestamptz,
    download_until timestamptz
);
CREATE INDEX exports_user_idx ON exports (user_id, created_at);
CREATE INDEX exports_state_idx ON exports (state, created_at);
CREATE UNIQUE INDEX exports_one_active_idx ON exports (user_id) WHERE state IN ('queued', 'running');
