-- The account system. Every table but login_attempts and audit_log belongs
-- to one user and goes with it (ON DELETE CASCADE). Values encrypted under
-- the user's scope end in _enc; hashes and blind indexes are stored as they
-- are, since they are keyed or hashes of 256-bit secrets.

CREATE TABLE credentials (
    user_id           TEXT    PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    password_hash     TEXT    NOT NULL,
    must_reset        INTEGER NOT NULL DEFAULT 0 CHECK (must_reset IN (0, 1)),
    email_verified_at TEXT,
    totp_enc          BLOB,
    totp_enabled      INTEGER NOT NULL DEFAULT 0 CHECK (totp_enabled IN (0, 1)),
    -- totp_step is the last TOTP time step spent, so a code works once.
    totp_step         INTEGER NOT NULL DEFAULT 0,
    updated_at        TEXT    NOT NULL
) STRICT;

-- Keyed by a blind index of the address, which need not belong to a user.
CREATE TABLE login_attempts (
    email_index  BLOB    PRIMARY KEY,
    failures     INTEGER NOT NULL CHECK (failures >= 0),
    locked_until TEXT
) STRICT, WITHOUT ROWID;

CREATE TABLE sessions (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash     BLOB NOT NULL UNIQUE,
    stage          TEXT NOT NULL CHECK (stage IN ('full', 'mfa', 'reset')),
    user_agent_enc BLOB NOT NULL,
    created_at     TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    expires_at     TEXT NOT NULL
) STRICT;

CREATE INDEX sessions_user ON sessions (user_id, created_at, id);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name_enc     BLOB NOT NULL,
    prefix       TEXT NOT NULL,
    secret_index BLOB NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT
) STRICT;

CREATE INDEX api_keys_user ON api_keys (user_id, created_at, id);

CREATE TABLE tokens (
    hash       BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash    BLOB NOT NULL,
    PRIMARY KEY (user_id, hash)
) STRICT, WITHOUT ROWID;

CREATE TABLE passkeys (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id BLOB NOT NULL UNIQUE,
    name_enc      BLOB NOT NULL,
    data_enc      BLOB NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT
) STRICT;

CREATE INDEX passkeys_user ON passkeys (user_id, created_at, id);

-- The audit log is a keyed hash chain. user_id has no foreign key: the log
-- outlives the users it names. meta is JSON of identifiers only.
CREATE TABLE audit_log (
    seq     INTEGER PRIMARY KEY,
    at      TEXT    NOT NULL,
    event   TEXT    NOT NULL,
    user_id TEXT    NOT NULL,
    meta    TEXT    NOT NULL,
    hash    BLOB    NOT NULL
) STRICT;

CREATE INDEX audit_log_user ON audit_log (user_id, seq);
