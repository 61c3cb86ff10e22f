package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/quirehq/quire/barrier"
)

// userRecordTables lists the tables whose values are encrypted under their
// user's scope (the account tables and the AI usage records); every row
// has a user_id. Rewrap brings them under the newest key together with
// their user. A migration that adds such a table must add it here, or
// Rewrap would leave it under old keys.
var userRecordTables = []encrypted{
	{"credentials", []string{totpField}, []string{"totp_enc"}, "user_id"},
	{"sessions", []string{"user_agent"}, []string{"user_agent_enc"}, ""},
	{"api_keys", []string{"name"}, []string{"name_enc"}, ""},
	{"passkeys", []string{"name", "data"}, []string{"name_enc", "data_enc"}, ""},
	{usageTable, []string{recordField}, []string{"record_enc"}, ""},
	{"email_changes", []string{"email"}, []string{"email_enc"}, "user_id"},
}

// countUserRecords counts the rows of userRecordTables.
func (db *DB) countUserRecords(ctx context.Context) (int, error) {
	counts := make([]string, len(userRecordTables))
	for i, e := range userRecordTables {
		counts[i] = "(SELECT count(*) FROM " + e.table + ")"
	}
	var n int
	if err := db.pool.QueryRow(ctx, "SELECT "+strings.Join(counts, " + ")).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count account records: %w", err)
	}
	return n, nil
}

// userRecords rewraps every row of userRecordTables that belongs to userID,
// a page at a time: a user may have many usage records.
func (r *rewrapper) userRecords(ctx context.Context, userID string) error {
	scope := barrier.UserScope(userID)
	for _, e := range userRecordTables {
		after := ""
		for {
			ids, cts, err := e.loadUser(ctx, r.db, userID, after)
			if err != nil {
				return err
			}
			for i, id := range ids {
				if err := r.record(ctx, e, binding{}, scope, id, cts[i]); err != nil {
					return err
				}
				after = id
			}
			if len(ids) < rewrapPage {
				break
			}
		}
	}
	return nil
}

// loadUser reads the key and the encrypted columns of the next page of
// rows of e that belong to userID, after key after.
func (e encrypted) loadUser(ctx context.Context, db *DB, userID, after string) ([]string, [][][]byte, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+e.keyCol()+", "+strings.Join(e.cols, ", ")+
		" FROM "+e.table+" WHERE user_id = $1 AND "+e.keyCol()+" > $2 ORDER BY "+e.keyCol()+" LIMIT $3", userID, after, rewrapPage)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: rewrap: read %s: %w", e.table, err)
	}
	defer rows.Close()
	var ids []string
	var all [][][]byte
	for rows.Next() {
		var id string
		cts := make([][]byte, len(e.cols))
		dst := []any{&id}
		for i := range cts {
			dst = append(dst, &cts[i])
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, nil, fmt.Errorf("postgres: rewrap: read %s: %w", e.table, err)
		}
		ids, all = append(ids, id), append(all, cts)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("postgres: rewrap: read %s: %w", e.table, err)
	}
	return ids, all, nil
}
