-- Folder shares: one folder of a workspace shared with one person, first
-- as an invitation to an email address, then, once accepted, as a grant to
-- their account. The address is sealed under the workspace's scope, bound
-- to its row ("folder_shares", id, "email"); the store finds it only by
-- its keyed blind index (barrier.BlindIndex "share_emails"), and an
-- invitation's token only by its own ("share_invites"), never the token.
-- A pending share has a token and no grantee; an accepted one has a
-- grantee and acceptance time and no token, so an accepted token never
-- opens anything again.
--
-- A share may only name a folder of its own workspace that exists: the
-- key is on (workspace_id, folder_id), as ideas have it, so no share can
-- cross tenants. Shares go with their folder, their workspace, their
-- inviter and their grantee.
CREATE TABLE folder_shares (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    folder_id    TEXT NOT NULL,
    email_enc    BLOB NOT NULL,
    email_index  BLOB NOT NULL CHECK (length(email_index) = 32),
    permission   TEXT NOT NULL CHECK (permission IN ('read', 'write')),
    token_index  BLOB UNIQUE CHECK (token_index IS NULL OR length(token_index) = 32),
    invited_by   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    grantee_id   TEXT REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    accepted_at  TEXT,
    FOREIGN KEY (workspace_id, folder_id) REFERENCES folders (workspace_id, id) ON DELETE CASCADE,
    UNIQUE (folder_id, email_index),
    -- Several pending shares (NULL grantees) do not collide.
    UNIQUE (folder_id, grantee_id),
    CHECK ((grantee_id IS NULL) = (accepted_at IS NULL)),
    CHECK ((grantee_id IS NULL) = (token_index IS NOT NULL))
) STRICT;

CREATE INDEX folder_shares_grantee ON folder_shares (grantee_id);
CREATE INDEX folder_shares_inviter ON folder_shares (invited_by);
CREATE INDEX folder_shares_workspace ON folder_shares (workspace_id, created_at, id);
