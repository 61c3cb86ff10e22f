-- Privacy settings (claim CCPA-1): one row per user who saved them; a
-- user without a row has the defaults, every purpose off. Like users and
-- the account tables, this is user data, not tenant data: no row-level
-- security, and the application role is granted its DML by the migration
-- run (postgres/migrate.go, dmlTables). The settings go with the user
-- (ON DELETE CASCADE). The opt-ins are stored as plain flags, not sealed:
-- they are no user content or identifier, and the trust check counts them
-- in SQL.
CREATE TABLE privacy_settings (
    user_id      text        NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    analytics    boolean     NOT NULL DEFAULT false,
    help_improve boolean     NOT NULL DEFAULT false,
    updated_at   timestamptz NOT NULL
);
