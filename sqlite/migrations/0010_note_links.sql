-- Public read-only links to single notes. Only the keyed blind index of a
-- link's token is stored (HMAC, barrier.BlindIndex "note_links"), never
-- the token. One link per note: a new one replaces it. Links go with their
-- note and their workspace. Nothing here is user content, so nothing is
-- encrypted.
CREATE TABLE note_links (
    token_index    BLOB    PRIMARY KEY CHECK (length(token_index) = 32),
    note_id        TEXT    NOT NULL UNIQUE REFERENCES notes (id) ON DELETE CASCADE,
    workspace_id   TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    allow_indexing INTEGER NOT NULL CHECK (allow_indexing IN (0, 1)),
    created_at     TEXT    NOT NULL
) STRICT;

CREATE INDEX note_links_workspace ON note_links (workspace_id);
