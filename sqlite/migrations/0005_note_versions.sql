-- Earlier versions of notes: the title and content a save replaced,
-- sealed under the workspace's scope and bound to their own row (id), so a
-- version cannot be passed off as another or as the note itself. version
-- is the note's version while that state was current. Versions go with
-- their note and their workspace.
CREATE TABLE note_versions (
    id           TEXT    PRIMARY KEY,
    note_id      TEXT    NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL CHECK (version > 0),
    title_enc    BLOB    NOT NULL,
    content_enc  BLOB    NOT NULL,
    saved_at     TEXT    NOT NULL,
    UNIQUE (note_id, version)
) STRICT;

CREATE INDEX note_versions_workspace ON note_versions (workspace_id);
