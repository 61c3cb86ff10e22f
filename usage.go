package quire

import (
	"context"
	"encoding/binary"
	"errors"
	"time"
)

// MaxUsageText bounds each text field of an AIUsage (model, alias, …). The
// gateway's values are short identifiers; the bound keeps a malformed or
// hostile alias from growing the store.
const MaxUsageText = 512

// AIUsage is the record the AI gateway keeps of one call to a provider
// (claim AI-2): metadata only, never a prompt or an answer. Stores keep
// ID, UserID and At in clear columns, as every table keeps its identifiers
// and timestamps, and seal every other field together under the user's
// scope (see MarshalUsageRecord), so a raw copy of the database shows only
// that a user made a call at a time, not to which provider or model.
type AIUsage struct {
	ID     string
	UserID string
	// WorkspaceID is the workspace the call was made for, or "".
	WorkspaceID string
	// At is when the call ended. Stores keep it in UTC at microsecond
	// precision; zero means now.
	At time.Time
	// Op is the gateway operation ("chat", "stream", "embed", …).
	Op string
	// Provider is the configured provider's name, Kind its vendor API.
	Provider, Kind string
	// Model is the provider's model; Alias the name the caller asked for.
	Model, Alias string
	// Class is "" for a success, else the gateway's error class.
	Class string
	// Status is the HTTP status the provider answered (0 if none).
	Status int
	// Latency is the whole call; FirstEvent the time to the first
	// streamed event (0 if the call did not stream).
	Latency, FirstEvent time.Duration
	// Token counts as the provider reported them; CachedTokens is the part
	// of InputTokens served from the provider's prompt cache.
	InputTokens, OutputTokens, CachedTokens int
	// Reported says whether the provider reported usage at all.
	Reported bool
	// CostMicroUSD is the estimated cost in millionths of a US dollar, or
	// -1 when the model's price is unknown.
	CostMicroUSD int64
}

// UsageService stores AI usage records under each user's key, so that
// deleting the user removes and shreds them.
type UsageService interface {
	// RecordUsage stores records (IDs set when empty, a zero At set to
	// now) in one transaction; records of unknown users (an empty UserID
	// included) are skipped, not an error: the account may have been
	// deleted meanwhile. An invalid record fails the whole batch
	// (EINVALID), an ID already stored too (ECONFLICT). On success every
	// record of a known user holds its stored ID and At.
	RecordUsage(ctx context.Context, recs []*AIUsage) error
	// ListUsage returns userID's records with At >= since, oldest first
	// (then by ID), at most limit (0: no limit; negative is EINVALID). An
	// unknown user has none.
	ListUsage(ctx context.Context, userID string, since time.Time, limit int) ([]*AIUsage, error)
	// UsageTokens sums InputTokens+OutputTokens of userID's records with
	// At >= since. It decrypts every one of those records, so its cost
	// grows with the window: it is meant for short windows (the daily
	// budget: at most a day's worth of calls), not for all-time totals.
	UsageTokens(ctx context.Context, userID string, since time.Time) (int, error)
}

// Validate reports whether the record can be stored. The user is not
// checked here: a store skips records of users it does not know.
func (u *AIUsage) Validate() error {
	if u.ID != "" && !ValidID(u.ID) {
		return Errorf(EINVALID, "Usage record ID is not a valid identifier.")
	}
	for _, s := range []string{u.WorkspaceID, u.Op, u.Provider, u.Kind, u.Model, u.Alias, u.Class} {
		if len(s) > MaxUsageText {
			return Errorf(EINVALID, "Usage record text fields must be at most %d bytes.", MaxUsageText)
		}
	}
	if u.Status < 0 || u.Status > 999 {
		return Errorf(EINVALID, "Usage record status must be 0 or an HTTP status.")
	}
	if u.Latency < 0 || u.FirstEvent < 0 {
		return Errorf(EINVALID, "Usage record durations must not be negative.")
	}
	if u.InputTokens < 0 || u.OutputTokens < 0 || u.CachedTokens < 0 {
		return Errorf(EINVALID, "Usage record token counts must not be negative.")
	}
	if u.CostMicroUSD < -1 {
		return Errorf(EINVALID, "Usage record cost must be -1 (unknown) or more.")
	}
	return nil
}

// usageRecordV1 is the first byte of the encoding MarshalUsageRecord
// writes, so that a later layout can be told apart.
const usageRecordV1 = 1

// MarshalUsageRecord encodes the fields of u that stores seal: all but
// ID, UserID and At. The layout is part of the stored format: a version
// byte, then WorkspaceID, Op, Provider, Kind, Model, Alias and Class as
// uvarint-length-prefixed bytes, then Status, Latency, FirstEvent (in
// nanoseconds), InputTokens, OutputTokens and CachedTokens as varints,
// Reported as one byte (0 or 1) and CostMicroUSD as a varint. A typical
// record takes well under a hundred bytes, which keeps UsageTokens' scan of
// a day's records cheap to decrypt.
func MarshalUsageRecord(u *AIUsage) []byte {
	n := 1 + 7*binary.MaxVarintLen64 + 8*binary.MaxVarintLen64
	for _, s := range []string{u.WorkspaceID, u.Op, u.Provider, u.Kind, u.Model, u.Alias, u.Class} {
		n += len(s)
	}
	b := make([]byte, 0, n)
	b = append(b, usageRecordV1)
	for _, s := range []string{u.WorkspaceID, u.Op, u.Provider, u.Kind, u.Model, u.Alias, u.Class} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, v := range []int64{int64(u.Status), int64(u.Latency), int64(u.FirstEvent),
		int64(u.InputTokens), int64(u.OutputTokens), int64(u.CachedTokens)} {
		b = binary.AppendVarint(b, v)
	}
	if u.Reported {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return binary.AppendVarint(b, u.CostMicroUSD)
}

// errUsageRecord is what UnmarshalUsageRecord returns for any malformed
// input. It says nothing about the bytes.
var errUsageRecord = errors.New("quire: malformed usage record")

// UnmarshalUsageRecord decodes what MarshalUsageRecord encoded into the
// sealed fields of u, leaving ID, UserID and At as they are. It rejects an
// unknown version, a truncated record and trailing bytes; on error u is
// unchanged.
func UnmarshalUsageRecord(b []byte, u *AIUsage) error {
	if len(b) == 0 || b[0] != usageRecordV1 {
		return errUsageRecord
	}
	d := usageDecoder{b: b[1:]}
	var out AIUsage
	for _, s := range []*string{&out.WorkspaceID, &out.Op, &out.Provider, &out.Kind, &out.Model, &out.Alias, &out.Class} {
		*s = d.text()
	}
	out.Status = d.int()
	out.Latency = time.Duration(d.varint())
	out.FirstEvent = time.Duration(d.varint())
	out.InputTokens, out.OutputTokens, out.CachedTokens = d.int(), d.int(), d.int()
	switch d.byte() {
	case 0:
	case 1:
		out.Reported = true
	default:
		d.bad = true
	}
	out.CostMicroUSD = d.varint()
	if d.bad || len(d.b) != 0 {
		return errUsageRecord
	}
	out.ID, out.UserID, out.At = u.ID, u.UserID, u.At
	*u = out
	return nil
}

// usageDecoder reads a usage record; after the first error it reads
// nothing more and every value is zero.
type usageDecoder struct {
	b   []byte
	bad bool
}

// uvarint reads a uvarint in its shortest form: a padded one (which
// binary.Uvarint accepts) is malformed, so each record has one encoding.
func (d *usageDecoder) uvarint() uint64 {
	if d.bad {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || n != uvarintLen(v) {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

// varint reads a zig-zag varint, as binary.AppendVarint writes it.
func (d *usageDecoder) varint() int64 {
	ux := d.uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

// uvarintLen is the length of v's shortest uvarint encoding.
func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// int reads a varint that must fit an int.
func (d *usageDecoder) int() int {
	v := d.varint()
	if int64(int(v)) != v {
		d.bad = true
		return 0
	}
	return int(v)
}

func (d *usageDecoder) text() string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)) {
		d.bad = true
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *usageDecoder) byte() byte {
	if d.bad || len(d.b) == 0 {
		d.bad = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}
