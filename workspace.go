package quire

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	// copies of its rows no longer open with the live key store; a backup
	// of the database made before keeps its own copy of the keys) and
	// removes its rows, atomically.
	DeleteWorkspace(ctx context.Context, id string) error
	AddMember(ctx context.Context, m *Membership) error
	RemoveMember(ctx context.Context, workspaceID, userID string) error
	FindMembers(ctx context.Context, workspaceID string) ([]*Membership, error)
	// AIPolicy returns the workspace's AI policy; a workspace that never set
	// one has the zero policy (ZDR only, redaction on, all kinds) with a zero
	// UpdatedAt. Unknown workspace: ENOTFOUND.
	AIPolicy(ctx context.Context, workspaceID string) (*AIPolicy, error)
	// SetAIPolicy replaces the workspace's AI policy and sets p.UpdatedAt to
	// now. Unknown workspace: ENOTFOUND; invalid policy: EINVALID.
	SetAIPolicy(ctx context.Context, workspaceID string, p *AIPolicy) error
	// AIPolicyCensus counts the workspaces whose AI policy differs from the strictest default:
	// those that opt out of zero data retention, those with redaction off, and those that
	// redact fewer kinds than all. It reads every stored policy (one per workspace that set one).
	// A stored policy that does not decrypt or decode is an error (EINTERNAL), never skipped.
	AIPolicyCensus(ctx context.Context) (AIPolicyCensus, error)
}

// AIPolicyCensus counts stored AI policies by how they relax the strictest
// default (claims AI-2 and AI-4), for the trust report. It holds counts
// only: which workspace chose what is the workspace's own business.
type AIPolicyCensus struct {
	// Policies is how many workspaces have set a policy, strict or not;
	// the others have the strictest policy by default.
	Policies int `json:"policies"`
	// AllowNonZDR is how many opt out of zero data retention.
	AllowNonZDR int `json:"allowNonZdr"`
	// RedactionOff is how many turned prompt redaction off.
	RedactionOff int `json:"redactionOff"`
	// RedactFewerKinds is how many keep redaction on but limit it to fewer
	// kinds than all. A policy with redaction off counts under RedactionOff
	// only, whatever kinds it lists; one that lists every kind redacts all.
	RedactFewerKinds int `json:"redactFewerKinds"`
}

// Add counts p, one workspace's stored policy, into c.
func (c *AIPolicyCensus) Add(p *AIPolicy) {
	c.Policies++
	if p.AllowNonZDR {
		c.AllowNonZDR++
	}
	if p.RedactionOff {
		c.RedactionOff++
		return
	}
	for _, k := range redactKinds {
		if !p.Redacts(k) {
			c.RedactFewerKinds++
			return
		}
	}
}

// AIPolicy is what a workspace allows the AI gateway to do with its
// requests (claims AI-2 and AI-4). The zero value is the strictest policy:
// providers with a zero-data-retention agreement only, every kind of
// personal data redacted.
type AIPolicy struct {
	// AllowNonZDR opts the workspace out of zero data retention: providers
	// without a ZDR agreement may then serve it (never in the deployment's
	// strict mode; never a provider that trains on data).
	AllowNonZDR bool `json:"allowNonZdr"`
	// RedactionOff turns prompt redaction off for the workspace.
	RedactionOff bool `json:"redactionOff"`
	// RedactKinds limits redaction to these kinds (see RedactKinds); empty
	// means every kind the deployment redacts.
	RedactKinds []string `json:"redactKinds"`
	// UpdatedAt is when the policy was last set; zero if it never was.
	UpdatedAt time.Time `json:"updatedAt"`
}

// Kinds of personal data and secrets that AIPolicy.RedactKinds may name.
// They are the detector names of the gateway's redaction (gateway/redact).
const (
	RedactEmail      = "email"
	RedactPhone      = "phone"
	RedactCard       = "card"
	RedactIBAN       = "iban"
	RedactNationalID = "national_id"
	RedactIP         = "ip"
	RedactSecret     = "secret"
)

// redactKinds lists every kind, in the gateway's order.
var redactKinds = [...]string{RedactEmail, RedactPhone, RedactCard, RedactIBAN, RedactNationalID, RedactIP, RedactSecret}

// RedactKinds returns every kind of data an AIPolicy may limit redaction to.
func RedactKinds() []string { return append([]string(nil), redactKinds[:]...) }

// ValidRedactKind reports whether k is one of RedactKinds.
func ValidRedactKind(k string) bool {
	for _, known := range redactKinds {
		if k == known {
			return true
		}
	}
	return false
}

// Validate reports whether the policy may be stored: every kind known,
// none repeated, and so at most len(RedactKinds()) of them. Messages name
// the field (redactKinds) and never quote the value.
func (p *AIPolicy) Validate() error {
	if len(p.RedactKinds) > len(redactKinds) {
		return Errorf(EINVALID, "Field redactKinds lists more than %d kinds.", len(redactKinds))
	}
	for i, k := range p.RedactKinds {
		if !ValidRedactKind(k) {
			return Errorf(EINVALID, "Field redactKinds holds an unknown kind at position %d; known kinds are email, phone, card, iban, national_id, ip and secret.", i)
		}
		for _, prev := range p.RedactKinds[:i] {
			if prev == k {
				return Errorf(EINVALID, "Field redactKinds names %q twice.", k)
			}
		}
	}
	return nil
}

// Redacts reports whether the policy has the gateway redact kind k.
func (p *AIPolicy) Redacts(k string) bool {
	if p.RedactionOff {
		return false
	}
	if len(p.RedactKinds) == 0 {
		return true
	}
	for _, x := range p.RedactKinds {
		if x == k {
			return true
		}
	}
	return false
}

// aiPolicyV1 is the sealed form of an AIPolicy, version 1: the choices
// only; UpdatedAt is stored beside it, like every row's timestamps.
type aiPolicyV1 struct {
	V            int      `json:"v"`
	AllowNonZDR  bool     `json:"allowNonZdr"`
	RedactionOff bool     `json:"redactionOff"`
	RedactKinds  []string `json:"redactKinds,omitempty"`
}

// MarshalAIPolicy encodes the fields of p that stores seal: all but
// UpdatedAt. The encoding is part of the stored format; it is versioned so
// that a later field can be added without making stored values unreadable.
func MarshalAIPolicy(p *AIPolicy) []byte {
	b, _ := json.Marshal(aiPolicyV1{V: 1, AllowNonZDR: p.AllowNonZDR, RedactionOff: p.RedactionOff, RedactKinds: p.RedactKinds})
	return b // a struct of bools and strings always encodes
}

// errAIPolicyFormat is what UnmarshalAIPolicy wraps for any malformed input.
var errAIPolicyFormat = errors.New("quire: malformed AI policy record")

// UnmarshalAIPolicy decodes what MarshalAIPolicy encoded into p, leaving
// p.UpdatedAt alone. It refuses an unknown version, unknown fields,
// trailing data and a policy that does not Validate; on error p is
// unchanged, and the error quotes nothing of the input.
func UnmarshalAIPolicy(b []byte, p *AIPolicy) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var v aiPolicyV1
	if err := dec.Decode(&v); err != nil {
		return errAIPolicyFormat
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: trailing data", errAIPolicyFormat)
	}
	if v.V != 1 {
		return fmt.Errorf("%w: unknown version", errAIPolicyFormat)
	}
	next := AIPolicy{AllowNonZDR: v.AllowNonZDR, RedactionOff: v.RedactionOff, RedactKinds: v.RedactKinds}
	if err := next.Validate(); err != nil {
		return fmt.Errorf("%w: invalid policy", errAIPolicyFormat)
	}
	p.AllowNonZDR, p.RedactionOff, p.RedactKinds = next.AllowNonZDR, next.RedactionOff, next.RedactKinds
	return nil
}

// OwnWorkspace returns the oldest workspace userID owns: the workspace a
// user's notes and API calls act in until requests can name one. It
// returns nil, nil when the user owns none (a member of others only).
func OwnWorkspace(ctx context.Context, ws WorkspaceService, userID string) (*Workspace, error) {
	list, err := ws.FindWorkspacesByUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	var best *Workspace
	for _, w := range list {
		if w.OwnerID == userID && (best == nil || w.CreatedAt.Before(best.CreatedAt)) {
			best = w
		}
	}
	return best, nil
}
