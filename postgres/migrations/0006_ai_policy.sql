-- Each workspace's AI policy (claims AI-2 and AI-4): whether providers
-- without zero data retention may serve it, and what prompt redaction
-- does. The choice is the user's, so like the workspace's name it is sealed
-- under the workspace's scope, bound to this row; only the workspace ID and
-- the time it was set are in clear. A workspace that never set a policy
-- has no row, and the strictest policy. The row goes with its workspace.
CREATE TABLE ai_policies (
    workspace_id text        NOT NULL PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    policy_enc   bytea       NOT NULL,
    updated_at   timestamptz NOT NULL
);

-- Row-level security as on workspaces (claim ISO-1): a transaction bound
-- to a workspace reads and writes that workspace's policy only, and one
-- bound to a user may read the policies of the workspaces it is a member
-- of, exactly as it may read those workspaces' rows. No maintenance
-- policy: nothing reads policies across tenants.
ALTER TABLE ai_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_policies FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant ON ai_policies
    USING (workspace_id = current_setting('quire.workspace_id', true))
    WITH CHECK (workspace_id = current_setting('quire.workspace_id', true));
CREATE POLICY member ON ai_policies FOR SELECT
    USING (workspace_id IN (SELECT m.workspace_id FROM memberships m
                            WHERE m.user_id = current_setting('quire.user_id', true)));
