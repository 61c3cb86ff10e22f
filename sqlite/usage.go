package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// The usage table and its one encrypted field, bound into ciphertexts as
// associated data (see crypt.go: part of the stored format).
const (
	tableAIUsage = "ai_usage"
	fieldRecord  = "record"
)

// UsageService stores the AI gateway's usage records. Each row keeps its
// ID, user and time in clear and every other field in one value
// (quire.MarshalUsageRecord) sealed under the user's scope, so deleting
// the user removes the rows (ON DELETE CASCADE) and shreds their key.
type UsageService struct {
	db *DB
	b  *barrier.Barrier
}

// NewUsageService returns a UsageService on db that encrypts through b.
func NewUsageService(db *DB, b *barrier.Barrier) *UsageService { return &UsageService{db: db, b: b} }

var _ quire.UsageService = (*UsageService)(nil)

// sealedUsage is one record ready to insert.
type sealedUsage struct {
	rec    *quire.AIUsage
	id     string
	at     time.Time
	record []byte
}

// RecordUsage implements quire.UsageService. The records are validated,
// then those of users that exist are sealed (before the write transaction,
// which a new data key would otherwise wait on), then inserted in one
// transaction that checks each user again: a user deleted since is
// skipped, and any key a seal made for it meanwhile is shredded.
func (s *UsageService) RecordUsage(ctx context.Context, recs []*quire.AIUsage) error {
	if err := validateUsage(recs); err != nil {
		return err
	}
	known, err := existingUsers(ctx, s.db.reader, usageUsers(recs))
	if err != nil {
		return internal("check usage users", err)
	}
	var batch []*sealedUsage
	for _, r := range recs {
		if !known[r.UserID] {
			continue
		}
		su := &sealedUsage{rec: r, id: r.ID, at: stamp(r.At)}
		if su.id == "" {
			su.id = quire.NewID()
		}
		ct, err := s.b.Encrypt(ctx, barrier.UserScope(r.UserID), barrier.AD(tableAIUsage, su.id, fieldRecord), quire.MarshalUsageRecord(r))
		if err != nil {
			return encryptFailed(err)
		}
		su.record = ct
		batch = append(batch, su)
	}
	if len(batch) == 0 {
		return nil
	}
	var gone map[string]bool
	err = s.db.write(ctx, func(tx *sql.Tx) error {
		gone = nil
		still, err := existingUsers(ctx, tx, usageUsers(recs))
		if err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, "INSERT INTO ai_usage (id, user_id, created_at, record_enc) VALUES (?, ?, ?, ?)")
		if err != nil {
			return err
		}
		defer st.Close()
		for _, su := range batch {
			if !still[su.rec.UserID] {
				if gone == nil {
					gone = map[string]bool{}
				}
				gone[su.rec.UserID] = true
				continue
			}
			if _, err := st.ExecContext(ctx, su.id, su.rec.UserID, formatTime(su.at), su.record); err != nil {
				return err
			}
		}
		return nil
	})
	if isUniqueViolation(err) {
		return quire.Errorf(quire.ECONFLICT, "A usage record with this ID already exists.")
	} else if err != nil {
		return internal("record usage", err)
	}
	for id := range gone {
		shredQuietly(ctx, s.b, barrier.UserScope(id))
	}
	for _, su := range batch {
		if !gone[su.rec.UserID] {
			su.rec.ID, su.rec.At = su.id, su.at
		}
	}
	return nil
}

// validateUsage checks every record before any is stored.
func validateUsage(recs []*quire.AIUsage) error {
	for _, r := range recs {
		if r == nil {
			return quire.Errorf(quire.EINVALID, "Usage record is required.")
		}
		if err := r.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// usageUsers lists the distinct non-empty user IDs of recs.
func usageUsers(recs []*quire.AIUsage) []string {
	seen := map[string]bool{}
	var ids []string
	for _, r := range recs {
		if r.UserID != "" && !seen[r.UserID] {
			seen[r.UserID] = true
			ids = append(ids, r.UserID)
		}
	}
	return ids
}

// queryer is what existingUsers reads through: the read pool or a
// transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// existingUsers returns which of ids are users. The IDs are passed as one
// JSON array, so a batch of any size is one statement.
func existingUsers(ctx context.Context, q queryer, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?))", string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// usageRow is an ai_usage row as stored.
type usageRow struct {
	id, userID, at string
	record         []byte
}

func scanUsage(row interface{ Scan(...any) error }) (*usageRow, error) {
	var r usageRow
	err := row.Scan(&r.id, &r.userID, &r.at, &r.record)
	return &r, err
}

// readUsage returns the rows of userID from since on, oldest first, at
// most limit (0: all). The rows are read in full before any is decrypted.
func (s *UsageService) readUsage(ctx context.Context, userID string, since time.Time, limit int) ([]*usageRow, error) {
	if limit < 0 {
		return nil, quire.Errorf(quire.EINVALID, "Limit must not be negative.")
	}
	if limit == 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.db.reader.QueryContext(ctx, `SELECT id, user_id, created_at, record_enc FROM ai_usage
		WHERE user_id = ? AND created_at >= ? ORDER BY created_at, id LIMIT ?`, userID, formatTime(ceilMicro(since)), limit)
	return collect(rows, err, "list usage", scanUsage)
}

// decode decrypts a stored row.
func (s *UsageService) decode(ctx context.Context, r *usageRow) (*quire.AIUsage, error) {
	pt, err := s.b.Decrypt(ctx, barrier.UserScope(r.userID), barrier.AD(tableAIUsage, r.id, fieldRecord), r.record)
	if err != nil {
		return nil, decryptFailed(tableAIUsage, r.id, fieldRecord, err)
	}
	u := &quire.AIUsage{ID: r.id, UserID: r.userID}
	if err := quire.UnmarshalUsageRecord(pt, u); err != nil {
		return nil, internal("read usage record "+r.id, err)
	}
	if u.At, err = parseTime(r.at); err != nil {
		return nil, internal("read usage record", err)
	}
	return u, nil
}

// ListUsage implements quire.UsageService.
func (s *UsageService) ListUsage(ctx context.Context, userID string, since time.Time, limit int) ([]*quire.AIUsage, error) {
	rows, err := s.readUsage(ctx, userID, since, limit)
	if err != nil {
		return nil, err
	}
	out := make([]*quire.AIUsage, 0, len(rows))
	for _, r := range rows {
		u, err := s.decode(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// UsageTokens implements quire.UsageService by decrypting each record of
// the window: meant for a day's worth (see quire.UsageService).
func (s *UsageService) UsageTokens(ctx context.Context, userID string, since time.Time) (int, error) {
	rows, err := s.readUsage(ctx, userID, since, 0)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, r := range rows {
		u, err := s.decode(ctx, r)
		if err != nil {
			return 0, err
		}
		total += u.InputTokens + u.OutputTokens
	}
	return total, nil
}

// ceilMicro rounds t up to the stored precision, so that "At >= since"
// holds of the stored (microsecond) times exactly as of the given one.
func ceilMicro(t time.Time) time.Time {
	c := t.Truncate(time.Microsecond)
	if c.Before(t) {
		c = c.Add(time.Microsecond)
	}
	return c
}
