-- AI chat: conversations and their messages. Titles, message contents and
-- the sources an answer drew on are sealed under the workspace's scope,
-- bound to their row. In clear: identifiers, times, the model name (a
-- configured model, not user text), the role and an answer's status.
-- seq orders a conversation's messages. Everything goes with its
-- conversation and its workspace.
CREATE TABLE conversations (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title_enc    BLOB NOT NULL,
    model        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

CREATE INDEX conversations_list ON conversations (workspace_id, updated_at DESC, id);

CREATE TABLE chat_messages (
    id              TEXT    PRIMARY KEY,
    conversation_id TEXT    NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    workspace_id    TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL CHECK (seq > 0),
    role            TEXT    NOT NULL CHECK (role IN ('user', 'assistant')),
    content_enc     BLOB    NOT NULL,
    sources_enc     BLOB    NOT NULL,
    model           TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('complete', 'cancelled', 'failed')),
    created_at      TEXT    NOT NULL,
    UNIQUE (conversation_id, seq)
) STRICT;

CREATE INDEX chat_messages_workspace ON chat_messages (workspace_id);
