-- Folder shares: one folder of a workspace shared with one person, first
-- as an invitation to an email address, then, once accepted, as a grant to
-- their account. The address is barrier ciphertext under the workspace's
-- scope, bound to its row ("folder_shares", id, "email"); the store finds
-- it only by its keyed blind index (barrier.BlindIndex "share_emails"),
-- and an invitation's token only by its own ("share_invites"), never the
-- token. A pending share has a token and no grantee; an accepted one has a
-- grantee and acceptance time and no token, so an accepted token never
-- opens anything again.
--
-- A share may only name a folder of its own workspace that exists: the
-- key is on (workspace_id, folder_id), as ideas have it, so no share can
-- cross tenants even where row-level security would let a write through.
-- Shares go with their folder, their workspace, their inviter and their
-- grantee.
CREATE TABLE folder_shares (
    id           text        NOT NULL PRIMARY KEY,
    workspace_id text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    folder_id    text        NOT NULL,
    email_enc    bytea       NOT NULL,
    email_index  bytea       NOT NULL CHECK (octet_length(email_index) = 32),
    permission   text        NOT NULL CHECK (permission IN ('read', 'write')),
    token_index  bytea       CHECK (octet_length(token_index) = 32),
    invited_by   text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    grantee_id   text        REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz,
    CONSTRAINT folder_shares_folder_fkey FOREIGN KEY (workspace_id, folder_id)
        REFERENCES folders (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT folder_shares_token_index_key UNIQUE (token_index),
    CONSTRAINT folder_shares_email_key UNIQUE (folder_id, email_index),
    -- Several pending shares (NULL grantees) do not collide.
    CONSTRAINT folder_shares_grantee_key UNIQUE (folder_id, grantee_id),
    CONSTRAINT folder_shares_state_check CHECK ((grantee_id IS NULL) = (accepted_at IS NULL)
        AND (grantee_id IS NULL) = (token_index IS NOT NULL))
);
CREATE INDEX folder_shares_grantee_idx ON folder_shares (grantee_id);
CREATE INDEX folder_shares_inviter_idx ON folder_shares (invited_by);
CREATE INDEX folder_shares_workspace_idx ON folder_shares (workspace_id, created_at, id);

-- Row-level security as on notes (claim ISO-1).
ALTER TABLE folder_shares ENABLE ROW LEVEL SECURITY;
ALTER TABLE folder_shares FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant ON folder_shares
    USING (workspace_id = current_setting('quire.workspace_id', true))
    WITH CHECK (workspace_id = current_setting('quire.workspace_id', true));

-- Two requests must see shares across tenants: opening an invitation,
-- which has no workspace yet, and listing the folders shared with a user,
-- which span workspaces. Each goes through a function below, as
-- quire_note_link does (0012_note_links.sql): a maintenance policy granted
-- to the owning role alone, turned on for the function's own query. The
-- functions return identifiers, the permission, times and the address's
-- blind index, never the sealed address; the folder itself is then read in
-- a transaction bound to its workspace.
CREATE POLICY maintenance ON folder_shares FOR SELECT TO CURRENT_USER
    USING (current_setting('quire.maintenance', true) = 'on');

-- The pending invitation whose token has the blind index token_index.
CREATE FUNCTION quire_share_invite(token_index bytea)
    RETURNS TABLE (id text, workspace_id text, folder_id text, permission text, invited_by text,
                   email_index bytea, expires_at timestamptz)
    LANGUAGE plpgsql SECURITY DEFINER
    AS $$
BEGIN
    PERFORM set_config('quire.maintenance', 'on', true);
    RETURN QUERY SELECT s.id, s.workspace_id, s.folder_id, s.permission, s.invited_by, s.email_index, s.expires_at
        FROM folder_shares s
        WHERE s.token_index = quire_share_invite.token_index AND s.grantee_id IS NULL;
    PERFORM set_config('quire.maintenance', '', true);
END
$$;

-- The accepted shares of grantee user_id, in order of acceptance.
CREATE FUNCTION quire_shares_for_user(user_id text)
    RETURNS TABLE (id text, workspace_id text, folder_id text, permission text, invited_by text,
                   accepted_at timestamptz)
    LANGUAGE plpgsql SECURITY DEFINER
    AS $$
BEGIN
    PERFORM set_config('quire.maintenance', 'on', true);
    RETURN QUERY SELECT s.id, s.workspace_id, s.folder_id, s.permission, s.invited_by, s.accepted_at
        FROM folder_shares s
        WHERE s.grantee_id = quire_shares_for_user.user_id
        ORDER BY s.accepted_at, s.id;
    PERFORM set_config('quire.maintenance', '', true);
END
$$;

-- Only the application role may call them (postgres/grants.go).
REVOKE ALL ON FUNCTION quire_share_invite(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION quire_shares_for_user(text) FROM PUBLIC;

-- A SECURITY DEFINER function must not resolve names through a schema its
-- caller controls: pin the search path to the schema being migrated.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION quire_share_invite(bytea) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION quire_shares_for_user(text) SET search_path = %I, pg_temp', current_schema());
END
$$;
