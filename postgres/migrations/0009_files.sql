-- Files (attachments): the metadata of the blobs in the encrypted blob
-- store, which keeps each file's bytes under the same ID. The file name is
-- barrier ciphertext under the workspace's scope, bound to its row.
-- media_type and size are stored in plain text on purpose: the media type
-- is the one sniffed from the content, a fixed allowlist value and never
-- user text, and the size is what a blob's stored length tells anyway.
--
-- A file may be attached to a note of its own workspace only: the foreign
-- key names (workspace_id, note_id), so a note of another workspace is
-- unknown to it, even where row-level security would let the write
-- through. Deleting the note or the workspace deletes the row; the files
-- service then deletes the blob.
ALTER TABLE notes ADD CONSTRAINT notes_workspace_id_id_key UNIQUE (workspace_id, id);

CREATE TABLE files (
    id           text        NOT NULL PRIMARY KEY,
    workspace_id text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    note_id      text,
    name_enc     bytea       NOT NULL,
    media_type   text        NOT NULL,
    size         bigint      NOT NULL CHECK (size >= 0),
    created_at   timestamptz NOT NULL,
    CONSTRAINT files_note_fkey FOREIGN KEY (workspace_id, note_id)
        REFERENCES notes (workspace_id, id) ON DELETE CASCADE
);
-- The list order of FindFiles: newest first, in all or of one note.
CREATE INDEX files_list_idx ON files (workspace_id, created_at DESC, id DESC);
CREATE INDEX files_note_idx ON files (workspace_id, note_id, created_at DESC, id DESC);

-- Row-level security as on notes (claim ISO-1).
ALTER TABLE files ENABLE ROW LEVEL SECURITY;
ALTER TABLE files FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant ON files
    USING (workspace_id = current_setting('quire.workspace_id', true))
    WITH CHECK (workspace_id = current_setting('quire.workspace_id', true));
