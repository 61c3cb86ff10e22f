package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

var _ quire.StoreInspector = (*DB)(nil)

// Isolation implements quire.StoreInspector: the connected role's
// attributes and the row-level security state of every tenant table, read
// from the catalog.
func (db *DB) Isolation(ctx context.Context) (*quire.IsolationStatus, error) {
	ri, err := db.roleInfo(ctx)
	if err != nil {
		return nil, err
	}
	st := &quire.IsolationStatus{Backend: quire.BackendPostgres, Role: ri.name,
		Superuser: ri.superuser, BypassRLS: ri.bypassRLS, OwnsTables: ri.ownsTables}
	rows, err := db.pool.Query(ctx, `
		SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity,
		       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)::int
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname = ANY($1)`, tenantTables)
	if err != nil {
		return nil, fmt.Errorf("postgres: read row-level security state: %w", err)
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (quire.TableIsolation, error) {
		var t quire.TableIsolation
		return t, r.Scan(&t.Name, &t.RLSEnabled, &t.RLSForced, &t.Policies)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: read row-level security state: %w", err)
	}
	for _, name := range tenantTables { // a missing table is reported, unprotected
		i := slices.IndexFunc(found, func(t quire.TableIsolation) bool { return t.Name == name })
		if i < 0 {
			st.Tables = append(st.Tables, quire.TableIsolation{Name: name})
		} else {
			st.Tables = append(st.Tables, found[i])
		}
	}
	return st, nil
}

// scanTable is one table of the schema with its columns.
type scanTable struct {
	name    string
	rls     bool
	columns []string
	bytea   []bool
}

// ScanRaw implements quire.StoreInspector. It searches every column of
// every table of the schema, rendered as text (bytea renders as hex, as in a
// dump), and every bytea column byte for byte, for needle. Row-level security
// hides tenant rows from an ordinary role, so tenant tables are scanned once
// per workspace in a transaction bound to it. It returns "table.column" for
// each hit.
func (db *DB) ScanRaw(ctx context.Context, needle []byte) ([]string, error) {
	if len(needle) == 0 {
		return nil, errors.New("postgres: scan: empty needle")
	}
	tables, err := db.scanTables(ctx)
	if err != nil {
		return nil, err
	}
	ri, err := db.roleInfo(ctx)
	if err != nil {
		return nil, err
	}
	hits := map[string]bool{}
	if err := db.scanBound(ctx, binding{}, tables, needle, hits); err != nil {
		return nil, err
	}
	if !ri.superuser && !ri.bypassRLS {
		ids, err := db.workspaceIDs(ctx)
		if err != nil {
			return nil, err
		}
		var tenant []scanTable
		for _, t := range tables {
			if t.rls {
				tenant = append(tenant, t)
			}
		}
		for _, id := range ids {
			if err := db.scanBound(ctx, binding{workspace: id}, tenant, needle, hits); err != nil {
				return nil, err
			}
		}
	}
	out := make([]string, 0, len(hits))
	for h := range hits {
		out = append(out, h)
	}
	slices.Sort(out)
	return out, nil
}

// scanTables lists the ordinary tables of the current schema and their columns.
func (db *DB) scanTables(ctx context.Context) ([]scanTable, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT c.relname::text, c.relrowsecurity, array_agg(a.attname::text ORDER BY a.attnum),
		       array_agg(a.atttypid = 'bytea'::regtype ORDER BY a.attnum)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'm')
		GROUP BY c.relname, c.relrowsecurity ORDER BY c.relname`)
	if err != nil {
		return nil, fmt.Errorf("postgres: scan: list tables: %w", err)
	}
	tables, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (scanTable, error) {
		var t scanTable
		return t, r.Scan(&t.name, &t.rls, &t.columns, &t.bytea)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: scan: list tables: %w", err)
	}
	return tables, nil
}

// scanBound searches tables in one transaction bound to b, recording hits.
// Each table takes one query that reports, per column, whether any row holds
// needle: the rows never leave the server.
func (db *DB) scanBound(ctx context.Context, b binding, tables []scanTable, needle []byte, hits map[string]bool) error {
	// A needle that is not text cannot occur in a text column; then only
	// the bytea columns are searched.
	asText := utf8.Valid(needle) && !slices.Contains(needle, 0)
	return db.inTx(ctx, b, func(tx pgx.Tx) error {
		for _, t := range tables {
			q, args := scanQuery(t, asText, needle)
			if q == "" {
				continue
			}
			found := make([]bool, len(t.columns))
			dst := make([]any, len(found))
			for i := range found {
				dst[i] = &found[i]
			}
			if err := tx.QueryRow(ctx, q, args...).Scan(dst...); err != nil {
				return fmt.Errorf("postgres: scan table %s: %w", t.name, err)
			}
			for i, f := range found {
				if f {
					hits[t.name+"."+t.columns[i]] = true
				}
			}
		}
		return nil
	})
}

// scanQuery builds the query that searches t for needle: one boolean per
// column, true if any row's column holds needle as text (strpos on col::text)
// or, for bytea, as bytes. It returns "" if no column can hold needle.
func scanQuery(t scanTable, asText bool, needle []byte) (string, []any) {
	var args []any
	textP, bytesP := "", ""
	if asText {
		args = append(args, string(needle))
		textP = "$1"
	}
	if slices.Contains(t.bytea, true) {
		args = append(args, needle)
		bytesP = "$" + strconv.Itoa(len(args))
	}
	if len(args) == 0 {
		return "", nil
	}
	tests := make([]string, len(t.columns))
	for i, c := range t.columns {
		col := "t." + pgx.Identifier{c}.Sanitize()
		var conds []string
		if textP != "" {
			conds = append(conds, "strpos("+col+"::text, "+textP+") > 0")
		}
		if t.bytea[i] {
			conds = append(conds, "position("+bytesP+"::bytea IN "+col+") > 0")
		}
		if len(conds) == 0 {
			conds = []string{"false"}
		}
		tests[i] = "coalesce(bool_or(" + strings.Join(conds, " OR ") + "), false)"
	}
	return "SELECT " + strings.Join(tests, ", ") + " FROM " + pgx.Identifier{t.name}.Sanitize() + " t", args
}

// RawFiles implements quire.StoreInspector: PostgreSQL keeps its data in
// no file of Quire's data directory.
func (db *DB) RawFiles() []string { return nil }
