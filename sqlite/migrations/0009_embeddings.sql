-- Embeddings: one vector per note or idea, for semantic search. The
-- vector and the SHA-256 of the embedded text are sealed together in
-- vector_enc under the workspace's scope, bound to the row's id (layout:
-- sqlite/embedding_codec.go). In clear: the document's ID and kind, the
-- model name (a configured model, not user text) and the number of
-- dimensions. A put replaces the document's row, id included. doc_id has
-- no foreign key, since it names a note or an idea: whoever deletes a
-- document deletes its embedding. Everything goes with its workspace.
CREATE TABLE embeddings (
    id           TEXT    PRIMARY KEY,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    doc_id       TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('note', 'idea')),
    model        TEXT    NOT NULL CHECK (length(model) BETWEEN 1 AND 128),
    dims         INTEGER NOT NULL CHECK (dims BETWEEN 1 AND 4096),
    vector_enc   BLOB    NOT NULL,
    updated_at   TEXT    NOT NULL,
    -- Also the order of FindEmbeddings: a workspace's rows by document.
    UNIQUE (workspace_id, doc_id)
) STRICT;
