-- Privacy settings (claim CCPA-1): one row per user who saved them; a
-- user without a row has the defaults, every purpose off. The settings are
-- the user's, not a workspace's, and go with the user (ON DELETE CASCADE).
-- The opt-ins are stored as plain flags, not sealed: they are no user
-- content or identifier, and the trust check counts them in SQL.
CREATE TABLE privacy_settings (
    user_id      TEXT    PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    analytics    INTEGER NOT NULL DEFAULT 0 CHECK (analytics IN (0, 1)),
    help_improve INTEGER NOT NULL DEFAULT 0 CHECK (help_improve IN (0, 1)),
    updated_at   TEXT    NOT NULL
) STRICT, WITHOUT ROWID;
