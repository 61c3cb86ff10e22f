-- Earlier versions of notes: the title and content a save replaced,
-- sealed under the workspace's scope and bound to their own row (id), so a
-- version cannot be passed off as another or as the note itself. version
-- is the note's version while that state was current. Versions go with
-- their note and their workspace.
CREATE TABLE note_versions (
    id           text        NOT NULL PRIMARY KEY,
    note_id      text        NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    workspace_id text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    version      integer     NOT NULL CHECK (version > 0),
    title_enc    bytea       NOT NULL,
    content_enc  bytea       NOT NULL,
    saved_at     timestamptz NOT NULL,
    UNIQUE (note_id, version)
);
CREATE INDEX note_versions_workspace_idx ON note_versions (workspace_id);

-- Row-level security as on notes (claim ISO-1).
ALTER TABLE note_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE note_versions FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant ON note_versions
    USING (workspace_id = current_setting('quire.workspace_id', true))
    WITH CHECK (workspace_id = current_setting('quire.workspace_id', true));
