-- Vulnerability reports sent through the disclosure intake (claim VDP-1).
-- They belong to no tenant: the reporter's address, the title and the
-- details are barrier ciphertext under the system scope, bound to their
-- row and field. Status, deadlines and timestamps are plain: they are what
-- the operator lists and the overdue scan filters on.
CREATE TABLE security_reports (
    id              TEXT PRIMARY KEY,
    email_enc       BLOB NOT NULL,
    title_enc       BLOB NOT NULL,
    details_enc     BLOB NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('new', 'acknowledged', 'resolved', 'rejected')),
    received_at     TEXT NOT NULL,
    ack_due         TEXT NOT NULL,
    acknowledged_at TEXT,
    closed_at       TEXT,
    reminded_at     TEXT,
    CHECK ((status = 'new') = (acknowledged_at IS NULL)),
    CHECK ((status IN ('resolved', 'rejected')) = (closed_at IS NOT NULL))
) STRICT;

CREATE INDEX security_reports_received ON security_reports (received_at);
CREATE INDEX security_reports_open ON security_reports (status, ack_due);
