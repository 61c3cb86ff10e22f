package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/quirehq/quire/barrier"
)

// userRecordTables lists the account tables whose values are encrypted
// under their user's scope; every row has a user_id. Rewrap brings them
// under the newest key together with their user.
var userRecordTables = []encrypted{
	{"credentials", []string{totpField}, []string{"totp_enc"}, "user_id"},
	{"sessions", []string{"user_agent"}, []string{"user_agent_enc"}, ""},
	{"api_keys", []string{"name"}, []string{"name_enc"}, ""},
	{"passkeys", []string{"name", "data"}, []string{"name_enc", "data_enc"}, ""},
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

// userRecords rewraps every row of userRecordTables that belongs to userID.
func (r *rewrapper) userRecords(ctx context.Context, userID string) error {
	scope := barrier.UserScope(userID)
	for _, e := range userRecordTables {
		ids, cts, err := e.loadUser(ctx, r.db, userID)
		if err != nil {
			return err
		}
		for i, id := range ids {
			if err := r.record(ctx, e, binding{}, scope, id, cts[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadUser reads the key and the encrypted columns of every row of e that
// belongs to userID.
func (e encrypted) loadUser(ctx context.Context, db *DB, userID string) ([]string, [][][]byte, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+e.keyCol()+", "+strings.Join(e.cols, ", ")+
		" FROM "+e.table+" WHERE user_id = $1 ORDER BY "+e.keyCol(), userID)
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
