-- The audit log's anchor (retention): once the oldest entries of the hash
-- chain are deleted, the last one deleted is remembered here (its sequence
-- number, hash and time), so that verification starts the chain from it.
-- mac authenticates the row under a key of the barrier's, which the
-- database never holds, so that whoever can write to it cannot move the
-- anchor to hide a deletion. One row.
CREATE TABLE audit_anchor (
    id   integer     NOT NULL PRIMARY KEY CHECK (id = 1),
    seq  bigint      NOT NULL CHECK (seq > 0),
    hash bytea       NOT NULL,
    at   timestamptz NOT NULL,
    mac  bytea       NOT NULL
);

-- When each audit entry was written, as the database saw it: the
-- application chooses at, so at cannot tell how old an entry really is.
-- recorded_at is set by the trigger below on every insert, whatever the
-- insert says, and the application role cannot update it (it may only
-- insert into and read the log). Entries written before this migration
-- take their at, the best there is.
ALTER TABLE audit_log ADD COLUMN recorded_at timestamptz;
UPDATE audit_log SET recorded_at = at;
ALTER TABLE audit_log ALTER COLUMN recorded_at SET DEFAULT now(),
    ALTER COLUMN recorded_at SET NOT NULL;

CREATE FUNCTION quire_audit_recorded_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.recorded_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_log_recorded_at BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION quire_audit_recorded_at();

-- The audit log stays append-only for the application role: the one way
-- it can delete entries is this function, which deletes a prefix of the
-- chain up to entry upto only, never the newest entry, never an entry
-- dated (at) or written (recorded_at) in the last 30 days (720 hours: not
-- calendar days, which DST would stretch or shrink), and records the
-- anchor in the same transaction, under the lock that serialises appends
-- (postgres/auth_audit.go). Testing at alone would not do: the
-- application chooses at, and could append back-dated entries to trim
-- through them. mac is the anchor's MAC, computed by the application over
-- the entry it read. A prefix already trimmed (upto at or before the
-- anchor, by a concurrent trim) deletes nothing and returns 0.
CREATE FUNCTION quire_trim_audit(upto bigint, mac bytea) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    AS $$
DECLARE
    newest bigint;
    trimmed bigint;
    anchor audit_log%ROWTYPE;
    deleted integer;
BEGIN
    PERFORM pg_advisory_xact_lock(8175556638602690562); -- 0x71756972_65000002, auditLockKey
    SELECT t.seq INTO trimmed FROM audit_anchor t WHERE t.id = 1;
    IF upto <= trimmed THEN
        RETURN 0;
    END IF;
    SELECT max(a.seq) INTO newest FROM audit_log a;
    SELECT * INTO anchor FROM audit_log a WHERE a.seq = upto;
    IF NOT FOUND OR upto >= newest OR anchor.at > now() - interval '720 hours'
        OR EXISTS (SELECT 1 FROM audit_log a WHERE a.seq <= upto AND a.recorded_at > now() - interval '720 hours') THEN
        RAISE EXCEPTION 'quire_trim_audit: entry % may not be trimmed', upto USING ERRCODE = '22023';
    END IF;
    DELETE FROM audit_log a WHERE a.seq <= upto;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    INSERT INTO audit_anchor (id, seq, hash, at, mac) VALUES (1, anchor.seq, anchor.hash, anchor.at, quire_trim_audit.mac)
        ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at, mac = excluded.mac;
    RETURN deleted;
END
$$;

-- Only the application role may call it (postgres/grants.go).
REVOKE ALL ON FUNCTION quire_trim_audit(bigint, bytea) FROM PUBLIC;

-- A SECURITY DEFINER function must not resolve names through a schema its
-- caller controls: pin the search path to the schema being migrated.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION quire_trim_audit(bigint, bytea) SET search_path = %I, pg_temp', current_schema());
END
$$;

-- The retention janitor finds expired rows by time.
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
CREATE INDEX tokens_expires_idx ON tokens (expires_at);
CREATE INDEX ai_usage_created_idx ON ai_usage (created_at);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_recorded_at_idx ON audit_log (recorded_at);
