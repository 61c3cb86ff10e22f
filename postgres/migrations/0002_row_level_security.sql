-- Row-level security on every tenant table (claim ISO-1). Policies read two
-- transaction-local settings that the store sets at the start of each
-- transaction: quire.workspace_id (the tenant the transaction is bound to)
-- and quire.user_id (whose own memberships it may list). Unset, they are
-- NULL or '', which matches no row.

ALTER TABLE workspaces  ENABLE ROW LEVEL SECURITY;
ALTER TABLE workspaces  FORCE ROW LEVEL SECURITY;
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
ALTER TABLE notes       ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes       FORCE ROW LEVEL SECURITY;
ALTER TABLE data_keys   ENABLE ROW LEVEL SECURITY;
ALTER TABLE data_keys   FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant ON workspaces
    USING (id = current_setting('quire.workspace_id', true))
    WITH CHECK (id = current_setting('quire.workspace_id', true));
CREATE POLICY member ON workspaces FOR SELECT
    USING (id IN (SELECT m.workspace_id FROM memberships m
                  WHERE m.user_id = current_setting('quire.user_id', true)));

CREATE POLICY tenant ON memberships
    USING (workspace_id = current_setting('quire.workspace_id', true))
    WITH CHECK (workspace_id = current_setting('quire.workspace_id', true));
CREATE POLICY member ON memberships FOR SELECT
    USING (user_id = current_setting('quire.user_id', true));

CREATE POLICY tenant ON notes
    USING (workspace_id = current_setting('quire.workspace_id', true))
    WITH CHECK (workspace_id = current_setting('quire.workspace_id', true));

-- Keys of user and system scopes belong to no tenant.
CREATE POLICY tenant ON data_keys
    USING (workspace_id IS NULL OR workspace_id = current_setting('quire.workspace_id', true))
    WITH CHECK (workspace_id IS NULL OR workspace_id = current_setting('quire.workspace_id', true));

-- The only cross-tenant reads. These policies apply to the owning role
-- alone, and only while quire.maintenance is on, which the two functions
-- below turn on for their own query and off again. The application role
-- cannot use them: the policies do not apply to it, so setting
-- quire.maintenance itself opens nothing.
CREATE POLICY maintenance ON workspaces FOR SELECT TO CURRENT_USER
    USING (current_setting('quire.maintenance', true) = 'on');
CREATE POLICY maintenance ON data_keys FOR SELECT TO CURRENT_USER
    USING (current_setting('quire.maintenance', true) = 'on');

-- quire_workspace_ids lists every workspace's ID: Rewrap and ScanRaw then
-- visit each workspace in a transaction bound to it.
CREATE FUNCTION quire_workspace_ids() RETURNS SETOF text
    LANGUAGE plpgsql SECURITY DEFINER
    AS $$
BEGIN
    PERFORM set_config('quire.maintenance', 'on', true);
    RETURN QUERY SELECT w.id FROM workspaces w ORDER BY w.id;
    PERFORM set_config('quire.maintenance', '', true);
END
$$;

-- quire_data_keys lists the metadata of every data key, never the wrapped
-- key itself, for the barrier's rotation, status and retirement.
CREATE FUNCTION quire_data_keys()
    RETURNS TABLE (scope text, version bigint, kek_version bigint, created_at timestamptz, ops bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    AS $$
BEGIN
    PERFORM set_config('quire.maintenance', 'on', true);
    RETURN QUERY SELECT d.scope, d.version, d.kek_version, d.created_at, d.ops FROM data_keys d;
    PERFORM set_config('quire.maintenance', '', true);
END
$$;

REVOKE ALL ON FUNCTION quire_workspace_ids() FROM PUBLIC;
REVOKE ALL ON FUNCTION quire_data_keys() FROM PUBLIC;

-- A SECURITY DEFINER function must not resolve names through a schema its
-- caller controls: pin the search path to the schema being migrated.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION quire_workspace_ids() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION quire_data_keys() SET search_path = %I, pg_temp', current_schema());
END
$$;
