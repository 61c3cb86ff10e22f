-- The account system's tables. They hold one user's rows each (no tenant,
-- so no row-level security, like users); every user value is barrier
-- ciphertext under the user's scope, and every secret is stored only as a
-- hash or a keyed index.

CREATE TABLE credentials (
    user_id           text        NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    password_hash     text        NOT NULL,
    must_reset        boolean     NOT NULL DEFAULT false,
    email_verified_at timestamptz,
    totp_enc          bytea,
    totp_enabled      boolean     NOT NULL DEFAULT false,
    -- totp_step is the last TOTP time step spent, so a code works once.
    totp_step         bigint      NOT NULL DEFAULT 0,
    updated_at        timestamptz NOT NULL,
    CHECK (NOT totp_enabled OR totp_enc IS NOT NULL)
);

-- Failed sign-in attempts per address, keyed by a blind index of the
-- normalised email: the address need not belong to a user.
CREATE TABLE login_attempts (
    email_index  bytea       NOT NULL PRIMARY KEY,
    failures     integer     NOT NULL DEFAULT 0 CHECK (failures >= 0),
    locked_until timestamptz
);

CREATE TABLE sessions (
    id             text        NOT NULL PRIMARY KEY,
    user_id        text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash     bytea       NOT NULL UNIQUE,
    stage          text        NOT NULL CHECK (stage IN ('full', 'mfa', 'reset')),
    user_agent_enc bytea       NOT NULL,
    created_at     timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_keys (
    id           text        NOT NULL PRIMARY KEY,
    user_id      text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name_enc     bytea       NOT NULL,
    prefix       text        NOT NULL,
    secret_index bytea       NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id);

-- One-time link tokens (email verification, password reset), by hash.
CREATE TABLE tokens (
    hash       bytea       NOT NULL PRIMARY KEY,
    user_id    text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text        NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX tokens_user_idx ON tokens (user_id);

CREATE TABLE recovery_codes (
    user_id text  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash    bytea NOT NULL,
    PRIMARY KEY (user_id, hash)
);

CREATE TABLE passkeys (
    id            text        NOT NULL PRIMARY KEY,
    user_id       text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id bytea       NOT NULL UNIQUE,
    name_enc      bytea       NOT NULL,
    data_enc      bytea       NOT NULL,
    created_at    timestamptz NOT NULL,
    last_used_at  timestamptz
);
CREATE INDEX passkeys_user_idx ON passkeys (user_id);

-- The security audit log: a keyed hash chain, append-only for the
-- application role (it is granted INSERT and SELECT only). user_id has no
-- foreign key: the trail outlives the user.
CREATE TABLE audit_log (
    seq     bigint      NOT NULL PRIMARY KEY CHECK (seq > 0),
    at      timestamptz NOT NULL,
    event   text        NOT NULL,
    user_id text        NOT NULL DEFAULT '',
    meta    jsonb       NOT NULL,
    hash    bytea       NOT NULL
);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, seq);
