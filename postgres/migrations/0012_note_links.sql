-- Public read-only links to single notes. Only the keyed blind index of a
-- link's token is stored (HMAC, barrier.BlindIndex "note_links"), never
-- the token. One link per note: a new one replaces it. Links go with their
-- note and their workspace. Nothing here is user content, so nothing is
-- encrypted.
CREATE TABLE note_links (
    token_index    bytea       NOT NULL PRIMARY KEY CHECK (octet_length(token_index) = 32),
    note_id        text        NOT NULL UNIQUE REFERENCES notes (id) ON DELETE CASCADE,
    workspace_id   text        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    allow_indexing boolean     NOT NULL,
    created_at     timestamptz NOT NULL
);
CREATE INDEX note_links_workspace_idx ON note_links (workspace_id);

-- Row-level security as on notes (claim ISO-1).
ALTER TABLE note_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE note_links FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant ON note_links
    USING (workspace_id = current_setting('quire.workspace_id', true))
    WITH CHECK (workspace_id = current_setting('quire.workspace_id', true));

-- A public link is opened by a request that has no workspace: it finds
-- its link by token across tenants, as the two functions of
-- 0002_row_level_security.sql do, through a maintenance policy granted to
-- the owning role alone and turned on for the function's own query. The
-- function returns identifiers and the indexing flag of one link, and only
-- to a caller that knows the token's keyed index; the note itself is then
-- read in a transaction bound to its workspace.
CREATE POLICY maintenance ON note_links FOR SELECT TO CURRENT_USER
    USING (current_setting('quire.maintenance', true) = 'on');

CREATE FUNCTION quire_note_link(token_index bytea)
    RETURNS TABLE (workspace_id text, note_id text, allow_indexing boolean)
    LANGUAGE plpgsql SECURITY DEFINER
    AS $$
BEGIN
    PERFORM set_config('quire.maintenance', 'on', true);
    RETURN QUERY SELECT l.workspace_id, l.note_id, l.allow_indexing FROM note_links l
        WHERE l.token_index = quire_note_link.token_index;
    PERFORM set_config('quire.maintenance', '', true);
END
$$;

-- Only the application role may call it (postgres/grants.go).
REVOKE ALL ON FUNCTION quire_note_link(bytea) FROM PUBLIC;

-- A SECURITY DEFINER function must not resolve names through a schema its
-- caller controls: pin the search path to the schema being migrated.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION quire_note_link(bytea) SET search_path = %I, pg_temp', current_schema());
END
$$;
