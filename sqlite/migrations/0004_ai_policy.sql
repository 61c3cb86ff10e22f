-- Each workspace's AI policy (claims AI-2 and AI-4): whether providers
-- without zero data retention may serve it, and what prompt redaction
-- does. The choice is the user's, so like the workspace's name it is sealed
-- under the workspace's scope, bound to this row; only the workspace ID and
-- the time it was set are in clear. A workspace that never set a policy
-- has no row, and the strictest policy. The row goes with its workspace.
CREATE TABLE ai_policies (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    policy_enc   BLOB NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;
