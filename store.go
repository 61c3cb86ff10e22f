package quire

import "context"

// Store backends.
const (
	BackendSQLite   = "sqlite"
	BackendPostgres = "postgres"
)

// IsolationStatus describes how a store keeps tenants apart (claim ISO-1),
// as read from the live database.
type IsolationStatus struct {
	Backend string `json:"backend"`
	// Role is the database role the server connects as (PostgreSQL only).
	Role       string `json:"role,omitempty"`
	Superuser  bool   `json:"superuser"`
	BypassRLS  bool   `json:"bypassRls"`
	OwnsTables bool   `json:"ownsTables"`
	// Tables lists every tenant table with its row-level security state.
	Tables []TableIsolation `json:"tables,omitempty"`
}

// TableIsolation is the row-level security state of one tenant table.
type TableIsolation struct {
	Name       string `json:"name"`
	RLSEnabled bool   `json:"rlsEnabled"`
	RLSForced  bool   `json:"rlsForced"`
	Policies   int    `json:"policies"`
}

// StoreInspector exposes what `quire trust` needs to check a store from
// below the barrier. Both stores implement it.
type StoreInspector interface {
	// Isolation reports the tenant-isolation state of the database.
	Isolation(ctx context.Context) (*IsolationStatus, error)
	// ScanRaw searches the store's raw storage (database files, or every
	// row of every table as text) for needle and returns where it was found.
	// An empty result means the bytes appear nowhere.
	ScanRaw(ctx context.Context, needle []byte) ([]string, error)
	// RawFiles lists the files the store keeps its data in (absolute
	// paths; none for a database server). A scan of the data directory
	// must leave them to ScanRaw: opening and closing them from the
	// process that holds the database would drop SQLite's locks.
	RawFiles() []string
}
