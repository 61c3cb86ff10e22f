-- The AI gateway's usage records (claim AI-2: metadata only, never a prompt
-- or an answer). Like the account tables they belong to one user and no
-- tenant, so they live outside row-level security like users, sessions and
-- api_keys, and go with their user (ON DELETE CASCADE). The row's
-- identifiers and timestamp are in clear; everything else about the call
-- (workspace, operation, provider, model, alias, status, error class,
-- latencies, token counts, cost) is one value sealed under the user's
-- scope. The application role is granted its DML with the other tables.
CREATE TABLE ai_usage (
    id         text        NOT NULL PRIMARY KEY,
    user_id    text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    record_enc bytea       NOT NULL
);
-- ListUsage and UsageTokens read one user's records from a time on, in order.
CREATE INDEX ai_usage_user_idx ON ai_usage (user_id, created_at, id);
