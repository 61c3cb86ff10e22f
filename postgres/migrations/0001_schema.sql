-- Quire's tables. Every user value is barrier ciphertext (bytea); what is
-- stored in plain text is identifiers, flags, timestamps and key metadata.

-- The keyring: key-encryption keys and the blind-index key, wrapped by the
-- root key. Version 0 is the index key; KEKs count up from 1.
CREATE TABLE keyring (
    version    bigint      NOT NULL PRIMARY KEY CHECK (version BETWEEN 0 AND 4294967295),
    kind       text        NOT NULL CHECK (kind IN ('kek', 'index')),
    wrapped    bytea       NOT NULL,
    created_at timestamptz NOT NULL
);

-- Data keys, one set per scope ("ws:<id>", "user:<id>", "system"), each
-- wrapped by a keyring key. workspace_id is derived from the scope so that
-- row-level security can bind workspace keys to their tenant.
CREATE TABLE data_keys (
    scope        text        NOT NULL,
    version      bigint      NOT NULL CHECK (version BETWEEN 0 AND 4294967295),
    kek_version  bigint      NOT NULL CHECK (kek_version BETWEEN 0 AND 4294967295),
    wrapped      bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    ops          bigint      NOT NULL DEFAULT 0,
    workspace_id text GENERATED ALWAYS AS (CASE WHEN scope LIKE 'ws:%' THEN substr(scope, 4) END) STORED,
    PRIMARY KEY (scope, version)
);
CREATE INDEX data_keys_workspace_idx ON data_keys (workspace_id);

CREATE TABLE users (
    id          text        NOT NULL PRIMARY KEY,
    email_enc   bytea       NOT NULL,
    email_index bytea       NOT NULL UNIQUE,
    name_enc    bytea       NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE workspaces (
    id         text        NOT NULL PRIMARY KEY,
    name_enc   bytea       NOT NULL,
    region     text        NOT NULL CHECK (region IN ('us', 'eu')),
    owner_id   text        NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX workspaces_owner_idx ON workspaces (owner_id);

CREATE TABLE memberships (
    workspace_id text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         text        NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE notes (
    id           text        NOT NULL PRIMARY KEY,
    workspace_id text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title_enc    bytea       NOT NULL,
    content_enc  bytea       NOT NULL,
    folder_id    text        NOT NULL DEFAULT '',
    pinned       boolean     NOT NULL DEFAULT false,
    public       boolean     NOT NULL DEFAULT false,
    version      integer     NOT NULL CHECK (version > 0),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX notes_list_idx ON notes (workspace_id, pinned DESC, updated_at DESC, id);
