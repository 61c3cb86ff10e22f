package barrier

import (
	"strings"
)

// Scope names the owner of a set of data keys: a workspace or a user. Each
// scope has its own random keys, so shredding one leaves the others intact.
type Scope string

// WorkspaceScope is the scope of a workspace's content.
func WorkspaceScope(id string) Scope { return Scope("ws:" + id) }

// UserScope is the scope of a user's personal data (email, name, secrets).
func UserScope(id string) Scope { return Scope("user:" + id) }

// SystemScope holds values that belong to no tenant.
const SystemScope Scope = "system"

// AD builds associated data binding a value to its table, row and field.
// Parts are joined with NUL, which cannot occur in identifiers.
func AD(table, row, field string) []byte {
	return []byte(strings.Join([]string{table, row, field}, "\x00"))
}

func valueAD(scope Scope, ad []byte) []byte {
	out := make([]byte, 0, 16+len(scope)+len(ad))
	out = append(out, "quire.value.v1\x00"...)
	out = append(out, scope...)
	out = append(out, 0)
	return append(out, ad...)
}
