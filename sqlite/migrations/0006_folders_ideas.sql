-- Folders and ideas. Folders are one flat set per workspace, shared by
-- notes and ideas. A folder's name and an idea's text are sealed under the
-- workspace's scope, bound to their row; since names are ciphertext, two
-- folders may have the same name. Both go with their workspace.
CREATE TABLE folders (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name_enc     BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    -- The parent key of the folder references below: a folder of the
    -- same workspace.
    UNIQUE (workspace_id, id)
) STRICT;

-- An idea may only name a folder of its own workspace that exists. The
-- foreign key has no action: deleting a folder moves or deletes its ideas
-- first, in the same transaction.
CREATE TABLE ideas (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    text_enc     BLOB NOT NULL,
    folder_id    TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    FOREIGN KEY (workspace_id, folder_id) REFERENCES folders (workspace_id, id)
) STRICT;

-- The list order of FindIdeas: newest first, in all or in one folder.
CREATE INDEX ideas_list ON ideas (workspace_id, created_at DESC, id DESC);
CREATE INDEX ideas_folder ON ideas (workspace_id, folder_id, created_at DESC, id DESC);

-- notes.folder_id is older than folders, and SQLite cannot add a foreign
-- key to a table without rebuilding it. These triggers hold notes to the
-- same rule as ideas, inside the statement that writes the note: a note
-- written into, or moved to, a folder that its workspace does not have is
-- refused. A note whose folder ID predates this migration keeps it until
-- the note is moved.
CREATE TRIGGER notes_folder_insert BEFORE INSERT ON notes
WHEN NEW.folder_id IS NOT NULL AND NOT EXISTS
    (SELECT 1 FROM folders WHERE id = NEW.folder_id AND workspace_id = NEW.workspace_id)
BEGIN
    SELECT RAISE(ABORT, 'folder_not_found');
END;

CREATE TRIGGER notes_folder_update BEFORE UPDATE OF folder_id, workspace_id ON notes
WHEN NEW.folder_id IS NOT NULL
    AND (NEW.folder_id IS NOT OLD.folder_id OR NEW.workspace_id IS NOT OLD.workspace_id)
    AND NOT EXISTS (SELECT 1 FROM folders WHERE id = NEW.folder_id AND workspace_id = NEW.workspace_id)
BEGIN
    SELECT RAISE(ABORT, 'folder_not_found');
END;
