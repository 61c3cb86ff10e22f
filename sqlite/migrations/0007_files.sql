-- Files (attachments): the metadata of the blobs in the encrypted blob
-- store, which keeps each file's bytes under the same ID. The file name is
-- sealed under the workspace's scope and bound to its row. media_type and
-- size are stored in plain text on purpose: the media type is the one
-- sniffed from the content, a fixed allowlist value and never user text,
-- and the size is what a blob's stored length tells anyway.
--
-- A file may be attached to a note of its own workspace only: the foreign
-- key names (workspace_id, note_id), so a note of another workspace is
-- unknown to it. Deleting the note or the workspace deletes the row; the
-- files service then deletes the blob.
CREATE UNIQUE INDEX notes_workspace_id ON notes (workspace_id, id);

CREATE TABLE files (
    id           TEXT    PRIMARY KEY,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    note_id      TEXT,
    name_enc     BLOB    NOT NULL,
    media_type   TEXT    NOT NULL,
    size         INTEGER NOT NULL CHECK (size >= 0),
    created_at   TEXT    NOT NULL,
    FOREIGN KEY (workspace_id, note_id) REFERENCES notes (workspace_id, id) ON DELETE CASCADE
) STRICT;

-- The list order of FindFiles: newest first, in all or of one note.
CREATE INDEX files_list ON files (workspace_id, created_at DESC, id DESC);
CREATE INDEX files_note ON files (workspace_id, note_id, created_at DESC, id DESC);
