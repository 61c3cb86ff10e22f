package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// grantApp gives role the DML the services need (append-only on the audit
// log), and EXECUTE on the cross-tenant functions; nothing
// else, and never ownership. It does nothing if role is empty or is the
// connected role.
func grantApp(ctx context.Context, tx pgx.Tx, role string) error {
	if role == "" {
		return nil
	}
	var self, schema string
	if err := tx.QueryRow(ctx, "SELECT current_user::text, current_schema()::text").Scan(&self, &schema); err != nil {
		return fmt.Errorf("postgres: migrate: read role: %w", err)
	}
	if self == role {
		return nil
	}
	r := pgx.Identifier{role}.Sanitize()
	stmts := []string{
		"GRANT USAGE ON SCHEMA " + pgx.Identifier{schema}.Sanitize() + " TO " + r,
		"GRANT SELECT ON schema_migrations TO " + r,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON " + strings.Join(dmlTables, ", ") + " TO " + r,
		// Defence in depth for the audit chain: even a compromised
		// application cannot rewrite or drop history, only append to it.
		"REVOKE UPDATE, DELETE, TRUNCATE ON " + strings.Join(appendOnlyTables, ", ") + " FROM " + r,
		"GRANT SELECT, INSERT ON " + strings.Join(appendOnlyTables, ", ") + " TO " + r,
		"REVOKE DELETE, TRUNCATE ON " + strings.Join(keepTables, ", ") + " FROM " + r,
		"GRANT SELECT, INSERT, UPDATE ON " + strings.Join(keepTables, ", ") + " TO " + r,
		"GRANT EXECUTE ON FUNCTION quire_workspace_ids(), quire_data_keys(), quire_note_link(bytea), quire_share_invite(bytea), quire_shares_for_user(text) TO " + r,
		// The audit log's retention: the application reads the anchor and
		// trims the log only through quire_trim_audit (0018_retention.sql).
		"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON " + strings.Join(readOnlyTables, ", ") + " FROM " + r,
		"GRANT SELECT ON " + strings.Join(readOnlyTables, ", ") + " TO " + r,
		"GRANT EXECUTE ON FUNCTION quire_trim_audit(bigint, bytea) TO " + r,
	}
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s); err != nil {
			return fmt.Errorf("postgres: migrate: grant the application role its privileges: %w", err)
		}
	}
	return nil
}
