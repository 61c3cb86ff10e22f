-- Folders and ideas. Folders are one flat set per workspace, shared by
-- notes and ideas. A folder's name and an idea's text are barrier
-- ciphertext under the workspace's scope, bound to their row; since names
-- are ciphertext, two folders may have the same name. Both go with their
-- workspace.
CREATE TABLE folders (
    id           text        NOT NULL PRIMARY KEY,
    workspace_id text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name_enc     bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    -- The key the folder references below point at: a folder of the same
    -- workspace, so that no reference can cross tenants.
    CONSTRAINT folders_workspace_id_id_key UNIQUE (workspace_id, id)
);

-- An idea may only name a folder of its own workspace that exists. The
-- foreign key has no action: deleting a folder moves or deletes its ideas
-- first, in the same transaction.
CREATE TABLE ideas (
    id           text        NOT NULL PRIMARY KEY,
    workspace_id text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    text_enc     bytea       NOT NULL,
    folder_id    text,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT ideas_folder_fkey FOREIGN KEY (workspace_id, folder_id) REFERENCES folders (workspace_id, id)
);
-- The list order of FindIdeas: newest first, in all or in one folder.
CREATE INDEX ideas_list_idx ON ideas (workspace_id, created_at DESC, id DESC);
CREATE INDEX ideas_folder_idx ON ideas (workspace_id, folder_id, created_at DESC, id DESC);

-- Notes are held to the same rule. notes.folder_id is older than folders
-- and says "no folder" with '', which a foreign key would take for a
-- folder ID: folder_ref is the same value with NULL for none, and the key
-- is on it. NOT VALID: a note whose folder ID predates this migration
-- keeps it until the note is moved; every note written from now on is
-- checked (an update only when its folder changes).
ALTER TABLE notes ADD COLUMN folder_ref text GENERATED ALWAYS AS (NULLIF(folder_id, '')) STORED;
ALTER TABLE notes ADD CONSTRAINT notes_folder_fkey
    FOREIGN KEY (workspace_id, folder_ref) REFERENCES folders (workspace_id, id) NOT VALID;
CREATE INDEX notes_folder_idx ON notes (workspace_id, folder_ref);

-- Row-level security as on notes (claim ISO-1).
ALTER TABLE folders ENABLE ROW LEVEL SECURITY;
ALTER TABLE folders FORCE ROW LEVEL SECURITY;
ALTER TABLE ideas   ENABLE ROW LEVEL SECURITY;
ALTER TABLE ideas   FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant ON folders
    USING (workspace_id = current_setting('quire.workspace_id', true))
    WITH CHECK (workspace_id = current_setting('quire.workspace_id', true));
CREATE POLICY tenant ON ideas
    USING (workspace_id = current_setting('quire.workspace_id', true))
    WITH CHECK (workspace_id = current_setting('quire.workspace_id', true));
