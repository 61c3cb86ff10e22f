-- AI chat: conversations and their messages. Titles, message contents and
-- the sources an answer drew on are sealed under the workspace's scope,
-- bound to their row. In clear: identifiers, times, the model name (a
-- configured model, not user text), the role and an answer's status.
-- seq orders a conversation's messages. Everything goes with its
-- conversation and its workspace.
CREATE TABLE conversations (
    id           text        NOT NULL PRIMARY KEY,
    workspace_id text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title_enc    bytea       NOT NULL,
    model        text        NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX conversations_list_idx ON conversations (workspace_id, updated_at DESC, id);

CREATE TABLE chat_messages (
    id              text        NOT NULL PRIMARY KEY,
    conversation_id text        NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    workspace_id    text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    seq             integer     NOT NULL CHECK (seq > 0),
    role            text        NOT NULL CHECK (role IN ('user', 'assistant')),
    content_enc     bytea       NOT NULL,
    sources_enc     bytea       NOT NULL,
    model           text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('complete', 'cancelled', 'failed')),
    created_at      timestamptz NOT NULL,
    UNIQUE (conversation_id, seq)
);
CREATE INDEX chat_messages_workspace_idx ON chat_messages (workspace_id);

-- Row-level security as on notes (claim ISO-1).
ALTER TABLE conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversations FORCE ROW LEVEL SECURITY;
ALTER TABLE chat_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE chat_messages FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant ON conversations
    USING (workspace_id = current_setting('quire.workspace_id', true))
    WITH CHECK (workspace_id = current_setting('quire.workspace_id', true));
CREATE POLICY tenant ON chat_messages
    USING (workspace_id = current_setting('quire.workspace_id', true))
    WITH CHECK (workspace_id = current_setting('quire.workspace_id', true));
