-- Vulnerability reports sent through the disclosure intake (claim VDP-1).
-- They belong to no tenant, like users and the audit log, so the table has
-- no row-level security; the application role is granted its DML by the
-- migration run (postgres/grants.go, dmlTables). The reporter's address,
-- the title and the details are barrier ciphertext under the system scope,
-- bound to their row and field. Status, deadlines and timestamps are plain:
-- they are what the operator lists and the overdue scan filters on.
CREATE TABLE security_reports (
    id              text        NOT NULL PRIMARY KEY,
    email_enc       bytea       NOT NULL,
    title_enc       bytea       NOT NULL,
    details_enc     bytea       NOT NULL,
    status          text        NOT NULL CHECK (status IN ('new', 'acknowledged', 'resolved', 'rejected')),
    received_at     timestamptz NOT NULL,
    ack_due         timestamptz NOT NULL,
    acknowledged_at timestamptz,
    closed_at       timestamptz,
    reminded_at     timestamptz,
    CHECK ((status = 'new') = (acknowledged_at IS NULL)),
    CHECK ((status IN ('resolved', 'rejected')) = (closed_at IS NOT NULL))
);
CREATE INDEX security_reports_received_idx ON security_reports (received_at);
CREATE INDEX security_reports_open_idx ON security_reports (status, ack_due);
