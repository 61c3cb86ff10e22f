-- The audit log's anchor (retention): once the oldest entries of the hash
-- chain are deleted, the last one deleted is remembered here (its sequence
-- number, hash and time), so that verification starts the chain from it.
-- mac authenticates the row under a key of the barrier's, so that whoever
-- can write the file cannot move the anchor to hide a deletion. One row.
CREATE TABLE audit_anchor (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL CHECK (seq > 0),
    hash BLOB    NOT NULL,
    at   TEXT    NOT NULL,
    mac  BLOB    NOT NULL
) STRICT;

-- The retention janitor finds expired rows by time.
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX tokens_expires ON tokens (expires_at);
CREATE INDEX ai_usage_created ON ai_usage (created_at);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX note_versions_saved ON note_versions (saved_at);
