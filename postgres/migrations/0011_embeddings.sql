-- Embeddings: one vector per note or idea, for semantic search. The
-- vector and the SHA-256 of the embedded text are sealed together in
-- vector_enc under the workspace's scope, bound to the row's id (layout:
-- postgres/embedding_codec.go). In clear: the document's ID and kind, the
-- model name (a configured model, not user text) and the number of
-- dimensions. A put replaces the document's row, id included. doc_id has
-- no foreign key, since it names a note or an idea: whoever deletes a
-- document deletes its embedding. Everything goes with its workspace.
CREATE TABLE embeddings (
    id           text        NOT NULL PRIMARY KEY,
    workspace_id text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    doc_id       text        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('note', 'idea')),
    model        text        NOT NULL CHECK (char_length(model) BETWEEN 1 AND 128),
    dims         integer     NOT NULL CHECK (dims BETWEEN 1 AND 4096),
    vector_enc   bytea       NOT NULL,
    updated_at   timestamptz NOT NULL,
    -- Also the order of FindEmbeddings: a workspace's rows by document.
    CONSTRAINT embeddings_workspace_id_doc_id_key UNIQUE (workspace_id, doc_id)
);
-- Ciphertext does not compress: store it out of line without trying.
ALTER TABLE embeddings ALTER COLUMN vector_enc SET STORAGE EXTERNAL;

-- Row-level security as on notes (claim ISO-1).
ALTER TABLE embeddings ENABLE ROW LEVEL SECURITY;
ALTER TABLE embeddings FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant ON embeddings
    USING (workspace_id = current_setting('quire.workspace_id', true))
    WITH CHECK (workspace_id = current_setting('quire.workspace_id', true));
