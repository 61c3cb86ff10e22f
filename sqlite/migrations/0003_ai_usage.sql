-- The AI gateway's usage records (claim AI-2: metadata only, never a prompt
-- or an answer). Like every table, the row's identifiers and timestamp are
-- in clear; everything else about the call (workspace, operation, provider,
-- model, alias, status, error class, latencies, token counts, cost) is one
-- value sealed under the user's scope, so a raw copy of the file shows only
-- that a user made a call at a time. The rows go with their user.
CREATE TABLE ai_usage (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    record_enc BLOB NOT NULL
) STRICT;

-- ListUsage and UsageTokens read one user's records from a time on, in order.
CREATE INDEX ai_usage_user ON ai_usage (user_id, created_at, id);
