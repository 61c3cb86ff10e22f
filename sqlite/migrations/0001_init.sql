-- The keyring: key-encryption keys and the blind-index key, each wrapped by
-- the root key. The index key has version 0; KEKs count up from 1.
CREATE TABLE keyring (
    version    INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('kek', 'index')),
    wrapped    BLOB    NOT NULL,
    created_at TEXT    NOT NULL
) STRICT;

-- Data keys, one random key per scope (workspace or user) and version,
-- wrapped by a keyring KEK. Deleting a scope's rows shreds its data.
CREATE TABLE data_keys (
    scope       TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    kek_version INTEGER NOT NULL REFERENCES keyring (version),
    wrapped     BLOB    NOT NULL,
    created_at  TEXT    NOT NULL,
    ops         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, version)
) STRICT, WITHOUT ROWID;

CREATE INDEX data_keys_kek ON data_keys (kek_version);

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    email_enc   BLOB NOT NULL,
    email_index BLOB NOT NULL UNIQUE,
    name_enc    BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE workspaces (
    id         TEXT PRIMARY KEY,
    name_enc   BLOB NOT NULL,
    region     TEXT NOT NULL CHECK (region IN ('us', 'eu')),
    owner_id   TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE INDEX workspaces_owner ON workspaces (owner_id);

CREATE TABLE memberships (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    created_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE notes (
    id           TEXT    PRIMARY KEY,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title_enc    BLOB    NOT NULL,
    content_enc  BLOB    NOT NULL,
    folder_id    TEXT,
    pinned       INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    public       INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
    version      INTEGER NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
) STRICT;

-- The list order of FindNotes: pinned first, then most recently updated.
CREATE INDEX notes_list ON notes (workspace_id, pinned DESC, updated_at DESC, id);
CREATE INDEX notes_folder ON notes (workspace_id, folder_id, pinned DESC, updated_at DESC, id);
