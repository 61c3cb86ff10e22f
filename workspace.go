package quire

import (
	"context"
	"time"
	"unicode/utf8"
)

// Region pins a workspace's data to one set of stores (claim RES-1).
type Region string

// Regions a workspace can be pinned to.
const (
	RegionUS Region = "us"
	RegionEU Region = "eu"
)

// Valid reports whether r is a known region.
func (r Region) Valid() bool { return r == RegionUS || r == RegionEU }

// Workspace is a tenant: the unit of isolation and of encryption. Each has
// its own random data key, so deleting that key shreds everything in it.
type Workspace struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Region    Region    `json:"region"`
	OwnerID   string    `json:"ownerId"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Validate reports whether the workspace's fields are acceptable to store.
func (w *Workspace) Validate() error {
	if w.Name == "" || len(w.Name) > 200 || !utf8.ValidString(w.Name) {
		return Errorf(EINVALID, "Workspace name must be 1 to 200 bytes of text.")
	}
	if !w.Region.Valid() {
		return Errorf(EINVALID, "Workspace region must be %q or %q.", RegionUS, RegionEU)
	}
	if w.OwnerID == "" {
		return Errorf(EINVALID, "Workspace owner is required.")
	}
	return nil
}

// Role is what a member may do in a workspace.
type Role string

// Roles, from most to least privileged.
const (
	RoleOwner  Role = "owner"
	RoleEditor Role = "editor"
	RoleViewer Role = "viewer"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleOwner || r == RoleEditor || r == RoleViewer }

// Membership grants a user a role in a workspace.
type Membership struct {
	WorkspaceID string    `json:"workspaceId"`
	UserID      string    `json:"userId"`
	Role        Role      `json:"role"`
	CreatedAt   time.Time `json:"createdAt"`
}

// WorkspaceService stores workspaces and their members. Every call that
// touches a workspace names it, so that the store can bind the transaction to
// that tenant (row-level security on PostgreSQL).
type WorkspaceService interface {
	// CreateWorkspace stores w (ID, CreatedAt and UpdatedAt are set) and makes
	// its owner a member with RoleOwner.
	CreateWorkspace(ctx context.Context, w *Workspace) error
	FindWorkspaceByID(ctx context.Context, id string) (*Workspace, error)
	// FindWorkspacesByUser lists the workspaces userID is a member of.
	FindWorkspacesByUser(ctx context.Context, userID string) ([]*Workspace, error)
	RenameWorkspace(ctx context.Context, id, name string) (*Workspace, error)
	// DeleteWorkspace shreds the workspace's data keys (crypto-shredding:
	// backups become unreadable too) and removes its rows, atomically.
	DeleteWorkspace(ctx context.Context, id string) error
	AddMember(ctx context.Context, m *Membership) error
	RemoveMember(ctx context.Context, workspaceID, userID string) error
	FindMembers(ctx context.Context, workspaceID string) ([]*Membership, error)
}
