package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/quirehq/quire/barrier"
)

// encryptedTable lists one table's encrypted columns for Rewrap.
type encryptedTable struct {
	name     string
	idCol    string // the primary key, which is also the row in the associated data
	scopeCol string // the column whose value names the row's scope
	scope    func(id string) barrier.Scope
	columns  []encryptedColumn
}

// encryptedColumn is one encrypted column and its field name in the
// associated data. A NULL value (an optional field) is skipped.
type encryptedColumn struct{ column, field string }

// encryptedTables is every encrypted column in the schema. A migration that
// adds one must add it here, or Rewrap would leave it under old keys.
var encryptedTables = []encryptedTable{
	{tableUsers, "id", "id", barrier.UserScope, []encryptedColumn{{"email_enc", fieldEmail}, {"name_enc", fieldName}}},
	{tableWorkspaces, "id", "id", barrier.WorkspaceScope, []encryptedColumn{{"name_enc", fieldName}}},
	{tableNotes, "id", "workspace_id", barrier.WorkspaceScope, []encryptedColumn{{"title_enc", fieldTitle}, {"content_enc", fieldContent}}},
	{tableVersions, "id", "workspace_id", barrier.WorkspaceScope, []encryptedColumn{{"title_enc", fieldTitle}, {"content_enc", fieldContent}}},
	{tableConversations, "id", "workspace_id", barrier.WorkspaceScope, []encryptedColumn{{"title_enc", fieldTitle}}},
	{tableChatMessages, "id", "workspace_id", barrier.WorkspaceScope, []encryptedColumn{{"content_enc", fieldContent}, {"sources_enc", fieldSources}}},
	{tableAIPolicies, "workspace_id", "workspace_id", barrier.WorkspaceScope, []encryptedColumn{{"policy_enc", fieldPolicy}}},
	{tableFolders, "id", "workspace_id", barrier.WorkspaceScope, []encryptedColumn{{"name_enc", fieldName}}},
	{tableIdeas, "id", "workspace_id", barrier.WorkspaceScope, []encryptedColumn{{"text_enc", fieldText}}},
	{tableFiles, "id", "workspace_id", barrier.WorkspaceScope, []encryptedColumn{{"name_enc", fieldName}}},
	{tableShares, "id", "workspace_id", barrier.WorkspaceScope, []encryptedColumn{{"email_enc", fieldEmail}}},
	{tableEmbeddings, "id", "workspace_id", barrier.WorkspaceScope, []encryptedColumn{{"vector_enc", fieldVector}}},
	{tableCredentials, "user_id", "user_id", barrier.UserScope, []encryptedColumn{{"totp_enc", fieldTOTP}}},
	{tableSessions, "id", "user_id", barrier.UserScope, []encryptedColumn{{"user_agent_enc", fieldUserAgent}}},
	{tableAPIKeys, "id", "user_id", barrier.UserScope, []encryptedColumn{{"name_enc", fieldName}}},
	{tablePasskeys, "id", "user_id", barrier.UserScope, []encryptedColumn{{"name_enc", fieldName}, {"data_enc", fieldData}}},
	{tableAIUsage, "id", "user_id", barrier.UserScope, []encryptedColumn{{"record_enc", fieldRecord}}},
	{tableEmailChanges, "user_id", "user_id", barrier.UserScope, []encryptedColumn{{"email_enc", fieldEmail}}},
	{tableSecurityReports, "id", "id", systemScope, []encryptedColumn{{"email_enc", fieldEmail}, {"title_enc", fieldTitle}, {"details_enc", fieldDetails}}},
}

// rewrapBatch is how many rows Rewrap reads at a time.
const rewrapBatch = 100

// Rewrap re-encrypts every stored value that is not under its scope's newest
// data key, row by row, each in its own short transaction that only writes
// a value if it has not changed since it was read. Values already current
// are skipped, so an interrupted run is finished by running it again.
// progress, if not nil, is called after each row with rows done and total.
//
// Rewrap re-encrypts values only; `quire keys rewrap` also re-wraps the data
// keys (barrier.RewrapDataKeys) and then retires old keys (barrier.Retire).
func (db *DB) Rewrap(ctx context.Context, b *barrier.Barrier, progress func(done, total int)) error {
	total, err := db.countEncryptedRows(ctx)
	if err != nil {
		return err
	}
	done := 0
	for _, t := range encryptedTables {
		last := ""
		for {
			rows, err := db.readRewrapBatch(ctx, t, last)
			if err != nil {
				return err
			}
			for _, r := range rows {
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("sqlite: rewrap interrupted: %w", err)
				}
				if err := db.rewrapRow(ctx, b, t, r); err != nil {
					return err
				}
				done++
				total = max(total, done)
				if progress != nil {
					progress(done, total)
				}
			}
			if len(rows) < rewrapBatch {
				break
			}
			last = rows[len(rows)-1].id
		}
	}
	return nil
}

func (db *DB) countEncryptedRows(ctx context.Context) (int, error) {
	total := 0
	for _, t := range encryptedTables {
		var n int
		if err := db.reader.QueryRowContext(ctx, "SELECT count(*) FROM "+t.name).Scan(&n); err != nil {
			return 0, fmt.Errorf("sqlite: rewrap: count %s: %w", t.name, err)
		}
		total += n
	}
	return total, nil
}

// rewrapRowData is one row's ID, scope and ciphertexts, in t.columns order.
type rewrapRowData struct {
	id    string
	scope barrier.Scope
	cts   [][]byte
}

func selectEncrypted(t encryptedTable) string {
	q := "SELECT " + t.idCol + ", " + t.scopeCol
	for _, c := range t.columns {
		q += ", " + c.column
	}
	return q + " FROM " + t.name
}

func scanRewrapRow(t encryptedTable, row interface{ Scan(...any) error }) (*rewrapRowData, error) {
	r := &rewrapRowData{cts: make([][]byte, len(t.columns))}
	var scopeID string
	dest := []any{&r.id, &scopeID}
	for i := range r.cts {
		dest = append(dest, &r.cts[i])
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	r.scope = t.scope(scopeID)
	return r, nil
}

// readRewrapBatch reads the next rows of t after ID last. The rows are read
// in full before any is processed, so no read connection is held meanwhile.
func (db *DB) readRewrapBatch(ctx context.Context, t encryptedTable, last string) ([]*rewrapRowData, error) {
	rows, err := db.reader.QueryContext(ctx, selectEncrypted(t)+" WHERE "+t.idCol+" > ? ORDER BY "+t.idCol+" LIMIT ?", last, rewrapBatch)
	if err != nil {
		return nil, fmt.Errorf("sqlite: rewrap: read %s: %w", t.name, err)
	}
	defer rows.Close()
	var out []*rewrapRowData
	for rows.Next() {
		r, err := scanRewrapRow(t, rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: rewrap: read %s: %w", t.name, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: rewrap: read %s: %w", t.name, err)
	}
	return out, nil
}

// maxRewrapAttempts bounds how often one row is retried while concurrent
// writes keep changing it.
const maxRewrapAttempts = 5

// rewrapRow re-encrypts the stale values of one row. A value that changed
// since it was read is not overwritten; the row is read again and retried.
func (db *DB) rewrapRow(ctx context.Context, b *barrier.Barrier, t encryptedTable, r *rewrapRowData) error {
	for range maxRewrapAttempts {
		fresh, err := reencryptRow(ctx, b, t, r)
		if err != nil {
			return err
		}
		if fresh == nil {
			return nil
		}
		stale := false
		err = db.write(ctx, func(tx *sql.Tx) error {
			for i, ct := range fresh {
				if ct == nil {
					continue
				}
				col := t.columns[i].column
				res, err := tx.ExecContext(ctx, "UPDATE "+t.name+" SET "+col+" = ? WHERE "+t.idCol+" = ? AND "+col+" = ?", ct, r.id, r.cts[i])
				if err != nil {
					return err
				}
				if n, err := res.RowsAffected(); err != nil {
					return err
				} else if n == 0 {
					stale = true
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("sqlite: rewrap %s row %s: %w", t.name, r.id, err)
		}
		if !stale {
			return nil
		}
		again, err := scanRewrapRow(t, db.reader.QueryRowContext(ctx, selectEncrypted(t)+" WHERE "+t.idCol+" = ?", r.id))
		if errors.Is(err, sql.ErrNoRows) {
			return nil // deleted meanwhile: nothing left to rewrap
		} else if err != nil {
			return fmt.Errorf("sqlite: rewrap: reread %s row %s: %w", t.name, r.id, err)
		}
		r = again
	}
	return fmt.Errorf("sqlite: rewrap %s: a row kept changing during %d attempts; run rewrap again", t.name, maxRewrapAttempts)
}

// reencryptRow returns, per column, the value re-encrypted under the newest
// key, or nil where it already is; nil overall when nothing changed.
func reencryptRow(ctx context.Context, b *barrier.Barrier, t encryptedTable, r *rewrapRowData) ([][]byte, error) {
	var fresh [][]byte
	for i, c := range t.columns {
		if r.cts[i] == nil {
			continue // an optional value that is not set
		}
		ct, changed, err := b.Reencrypt(ctx, r.scope, barrier.AD(t.name, r.id, c.field), r.cts[i])
		if err != nil {
			return nil, fmt.Errorf("sqlite: rewrap %s.%s of row %s: %w", t.name, c.field, r.id, err)
		}
		if changed {
			if fresh == nil {
				fresh = make([][]byte, len(t.columns))
			}
			fresh[i] = ct
		}
	}
	return fresh, nil
}
