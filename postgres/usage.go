package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// The usage table and its one encrypted field, bound into ciphertexts as
// associated data: part of the stored format.
const (
	usageTable  = "ai_usage"
	recordField = "record"
)

// UsageService stores the AI gateway's usage records. Each row keeps its
// ID, user and time in clear and every other field in one value
// (quire.MarshalUsageRecord) sealed under the user's scope, so deleting
// the user removes the rows (ON DELETE CASCADE) and shreds their key. The
// rows belong to no tenant and live outside row-level security, like the
// account tables.
type UsageService struct {
	db *DB
	b  *barrier.Barrier
}

var _ quire.UsageService = (*UsageService)(nil)

// NewUsageService returns a usage service over db that encrypts with b.
func NewUsageService(db *DB, b *barrier.Barrier) *UsageService { return &UsageService{db: db, b: b} }

// sealedUsage is one record ready to insert.
type sealedUsage struct {
	rec    *quire.AIUsage
	id     string
	at     time.Time
	record []byte
}

// RecordUsage implements quire.UsageService. The records are validated,
// then those of users that exist are sealed (outside the transaction,
// since the barrier may need a connection of its own), then inserted in
// one statement of a transaction that first takes a KEY SHARE lock on
// each user: a user deleted since is skipped (and any key a seal made for
// it meanwhile is shredded), and one being deleted waits for the commit
// and then takes the new rows with it.
func (s *UsageService) RecordUsage(ctx context.Context, recs []*quire.AIUsage) error {
	for _, r := range recs {
		if r == nil {
			return quire.Errorf(quire.EINVALID, "Usage record is required.")
		}
		if err := r.Validate(); err != nil {
			return err
		}
	}
	users := usageUsers(recs)
	if len(users) == 0 {
		return nil
	}
	known, err := s.existingUsers(ctx, users)
	if err != nil {
		return err
	}
	var batch []*sealedUsage
	for _, r := range recs {
		if !known[r.UserID] {
			continue
		}
		su := &sealedUsage{rec: r, id: r.ID, at: orNow(r.At)}
		if su.id == "" {
			su.id = quire.NewID()
		}
		ct, err := s.b.Encrypt(ctx, barrier.UserScope(r.UserID), barrier.AD(usageTable, su.id, recordField), quire.MarshalUsageRecord(r))
		if err != nil {
			return internal("encrypt "+usageTable, err)
		}
		su.record = ct
		batch = append(batch, su)
	}
	if len(batch) == 0 {
		return nil
	}
	var gone map[string]bool
	err = s.db.inTx(ctx, binding{}, func(tx pgx.Tx) error {
		gone = nil
		rows, err := tx.Query(ctx, "SELECT id FROM users WHERE id = ANY($1) ORDER BY id FOR KEY SHARE", users)
		if err != nil {
			return internal("lock usage users", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return internal("lock usage users", err)
		}
		still := make(map[string]bool, len(ids))
		for _, id := range ids {
			still[id] = true
		}
		var rowIDs, userIDs []string
		var ats []time.Time
		var records [][]byte
		for _, su := range batch {
			if !still[su.rec.UserID] {
				if gone == nil {
					gone = map[string]bool{}
				}
				gone[su.rec.UserID] = true
				continue
			}
			rowIDs, userIDs = append(rowIDs, su.id), append(userIDs, su.rec.UserID)
			ats, records = append(ats, su.at), append(records, su.record)
		}
		if len(rowIDs) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `INSERT INTO ai_usage (id, user_id, created_at, record_enc)
			SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bytea[])`, rowIDs, userIDs, ats, records)
		if pgCode(err) == codeUniqueViolation {
			return quire.Errorf(quire.ECONFLICT, "A usage record with this ID already exists.")
		}
		return internal("record usage", err)
	})
	if err != nil {
		return err
	}
	for id := range gone {
		_ = s.b.Shred(context.WithoutCancel(ctx), barrier.UserScope(id))
	}
	for _, su := range batch {
		if !gone[su.rec.UserID] {
			su.rec.ID, su.rec.At = su.id, su.at
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

// existingUsers returns which of ids are users.
func (s *UsageService) existingUsers(ctx context.Context, ids []string) (map[string]bool, error) {
	rows, err := s.db.pool.Query(ctx, "SELECT id FROM users WHERE id = ANY($1)", ids)
	if err != nil {
		return nil, internal("check usage users", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, internal("check usage users", err)
	}
	out := make(map[string]bool, len(found))
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

// usageRow is an ai_usage row as stored.
type usageRow struct {
	id, userID string
	at         time.Time
	record     []byte
}

// readUsage returns the rows of userID from since on, oldest first, at
// most limit (0: all). The rows are read in full before any is decrypted.
func (s *UsageService) readUsage(ctx context.Context, userID string, since time.Time, limit int) ([]*usageRow, error) {
	if limit < 0 {
		return nil, quire.Errorf(quire.EINVALID, "Limit must not be negative.")
	}
	var lim any // NULL: no limit
	if limit > 0 {
		lim = limit
	}
	rows, err := s.db.pool.Query(ctx, `SELECT id, user_id, created_at, record_enc FROM ai_usage
		WHERE user_id = $1 AND created_at >= $2 ORDER BY created_at, id LIMIT $3::bigint`, userID, ceilMicro(since), lim)
	if err != nil {
		return nil, internal("list usage", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*usageRow, error) {
		var r usageRow
		return &r, row.Scan(&r.id, &r.userID, &r.at, &r.record)
	})
	if err != nil {
		return nil, internal("list usage", err)
	}
	return out, nil
}

// decode decrypts a stored row.
func (s *UsageService) decode(ctx context.Context, r *usageRow) (*quire.AIUsage, error) {
	pt, err := s.b.Decrypt(ctx, barrier.UserScope(r.userID), barrier.AD(usageTable, r.id, recordField), r.record)
	if err != nil {
		return nil, internal("decrypt "+usageTable, err)
	}
	u := &quire.AIUsage{ID: r.id, UserID: r.userID, At: r.at.UTC()}
	if err := quire.UnmarshalUsageRecord(pt, u); err != nil {
		return nil, internal("read usage record "+r.id, err)
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
