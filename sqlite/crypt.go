package sqlite

import (
	"context"

	"github.com/quirehq/quire/barrier"
)

// Table and field names bound into every ciphertext as associated data.
// They are part of the stored format: renaming one makes existing values
// unreadable, so they are spelled out here rather than derived from columns.
const (
	tableUsers      = "users"
	tableWorkspaces = "workspaces"
	tableNotes      = "notes"
	tableVersions   = "note_versions"
	tableAIPolicies = "ai_policies"
	fieldEmail      = "email"
	fieldName       = "name"
	fieldTitle      = "title"
	fieldContent    = "content"
	fieldPolicy     = "policy"
	tableFolders    = "folders"
	tableIdeas      = "ideas"
	fieldText       = "text"
	tableFiles      = "files"
	// emailIndexPurpose names the blind index of users' email addresses.
	emailIndexPurpose = "users.email"
)

// seal encrypts one field of one row under scope.
func seal(ctx context.Context, b *barrier.Barrier, scope barrier.Scope, table, id, field, value string) ([]byte, error) {
	ct, err := b.Encrypt(ctx, scope, barrier.AD(table, id, field), []byte(value))
	if err != nil {
		return nil, encryptFailed(err)
	}
	return ct, nil
}

// unseal decrypts one field of one row. A failure is EINTERNAL with a
// message that says nothing about the value.
func unseal(ctx context.Context, b *barrier.Barrier, scope barrier.Scope, table, id, field string, ct []byte) (string, error) {
	pt, err := b.Decrypt(ctx, scope, barrier.AD(table, id, field), ct)
	if err != nil {
		return "", decryptFailed(table, id, field, err)
	}
	return string(pt), nil
}

// shredQuietly destroys the keys of a new record's scope whose row was never
// written (a failed seal or insert), so that no orphaned key outlives it. The insert's own
// error is what the caller reports.
func shredQuietly(ctx context.Context, b *barrier.Barrier, scope barrier.Scope) {
	_ = b.Shred(context.WithoutCancel(ctx), scope)
}
