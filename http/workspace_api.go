package http

import (
	"context"
	"net/http"
	"time"

	"github.com/quirehq/quire"
)

// maxAIPolicyBody caps the body of PUT …/ai-policy: the largest valid
// policy is a few hundred bytes.
const maxAIPolicyBody = 4 << 10

// registerWorkspaces adds the workspace routes of the JSON API: the
// caller's workspaces, and each workspace's AI policy (claims AI-2 and
// AI-4). They need Config.Workspaces; without it none is served.
func (s *Server) registerWorkspaces() {
	if s.cfg.Workspaces == nil {
		return
	}
	s.Handle("GET /api/v1/workspaces", s.apiWorkspaces)
	s.Handle("GET /api/v1/workspaces/{id}/ai-policy", s.apiAIPolicy)
	s.Mount("PUT /api/v1/workspaces/{id}/ai-policy", BodyLimit(maxAIPolicyBody, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.apiSetAIPolicy(w, r); err != nil {
			Error(w, r, s.logger, err)
		}
	})))
}

// workspaceJSON is one workspace in the caller's list, with the caller's
// role in it.
type workspaceJSON struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	Region    quire.Region `json:"region"`
	Role      quire.Role   `json:"role"`
	OwnerID   string       `json:"ownerId"`
	CreatedAt time.Time    `json:"createdAt"`
	UpdatedAt time.Time    `json:"updatedAt"`
}

// apiWorkspaces lists the workspaces the caller is a member of, oldest
// first, each with the caller's role.
func (s *Server) apiWorkspaces(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	list, err := s.cfg.Workspaces.FindWorkspacesByUser(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	out := make([]workspaceJSON, 0, len(list))
	for _, ws := range list {
		role, err := s.memberRole(r.Context(), ws.ID, a.UserID)
		if quire.ErrorCode(err) == quire.ENOTFOUND {
			continue // deleted, or the caller removed, since the list was read
		} else if err != nil {
			return err
		}
		out = append(out, workspaceJSON{ID: ws.ID, Name: ws.Name, Region: ws.Region, Role: role, OwnerID: ws.OwnerID,
			CreatedAt: ws.CreatedAt, UpdatedAt: ws.UpdatedAt})
	}
	return JSON(w, http.StatusOK, map[string]any{"workspaces": out})
}

// errNoWorkspace answers for a workspace that does not exist and for one
// the caller is not a member of alike, so that a response never confirms
// that an ID exists (claim ISO-1).
func errNoWorkspace() error { return quire.Errorf(quire.ENOTFOUND, "Workspace not found.") }

// memberRole returns userID's role in workspace id, or errNoWorkspace if
// the workspace does not exist or the user is not a member.
func (s *Server) memberRole(ctx context.Context, id, userID string) (quire.Role, error) {
	if !quire.ValidID(id) {
		return "", errNoWorkspace()
	}
	members, err := s.cfg.Workspaces.FindMembers(ctx, id)
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		return "", errNoWorkspace()
	} else if err != nil {
		return "", err
	}
	for _, m := range members {
		if m.UserID == userID {
			return m.Role, nil
		}
	}
	return "", errNoWorkspace()
}

// aiPolicyJSON is the shape of a workspace's AI policy. RedactKinds is
// never null; UpdatedAt is null for a workspace that never set a policy.
type aiPolicyJSON struct {
	AllowNonZDR  bool       `json:"allowNonZdr"`
	RedactionOff bool       `json:"redactionOff"`
	RedactKinds  []string   `json:"redactKinds"`
	UpdatedAt    *time.Time `json:"updatedAt"`
}

func aiPolicyBody(p *quire.AIPolicy) aiPolicyJSON {
	kinds := p.RedactKinds
	if kinds == nil {
		kinds = []string{}
	}
	return aiPolicyJSON{AllowNonZDR: p.AllowNonZDR, RedactionOff: p.RedactionOff, RedactKinds: kinds, UpdatedAt: ifSet(p.UpdatedAt)}
}

// apiAIPolicy answers a workspace's AI policy to any of its members.
func (s *Server) apiAIPolicy(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := s.memberRole(r.Context(), id, a.UserID); err != nil {
		return err
	}
	p, err := s.cfg.Workspaces.AIPolicy(r.Context(), id)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, aiPolicyBody(p))
}

// setAIPolicyBody is the body of PUT …/ai-policy: the whole policy, which
// replaces the stored one. A field left out takes its strictest value.
type setAIPolicyBody struct {
	AllowNonZDR  bool     `json:"allowNonZdr"`
	RedactionOff bool     `json:"redactionOff"`
	RedactKinds  []string `json:"redactKinds"`
}

// apiSetAIPolicy replaces a workspace's AI policy. Only an owner may; any
// other member is told so (403), and anyone else learns nothing (404).
// The body is decoded strictly: a misspelt field would otherwise be
// dropped silently and reset that part of the policy to its default.
func (s *Server) apiSetAIPolicy(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	role, err := s.memberRole(r.Context(), id, a.UserID)
	if err != nil {
		return err
	}
	if role != quire.RoleOwner {
		return quire.Errorf(quire.EFORBIDDEN, "Only an owner of the workspace may change its AI policy; you are a member with the %s role.", role)
	}
	var in *setAIPolicyBody
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in == nil {
		return quire.Errorf(quire.EINVALID, "Request body must be a JSON object: the AI policy.")
	}
	p := &quire.AIPolicy{AllowNonZDR: in.AllowNonZDR, RedactionOff: in.RedactionOff, RedactKinds: in.RedactKinds}
	if err := p.Validate(); err != nil {
		return err
	}
	// The opt-out of zero data retention is a security decision: on
	// record before it takes effect, so that no change goes unrecorded.
	if err := s.cfg.Auth.AIPolicyChanged(r.Context(), a.UserID, id, p.AllowNonZDR); err != nil {
		return err
	}
	if err := s.cfg.Workspaces.SetAIPolicy(r.Context(), id, p); err != nil {
		return err
	}
	if s.cfg.OnAIPolicyChange != nil {
		s.cfg.OnAIPolicyChange(id)
	}
	return JSON(w, http.StatusOK, aiPolicyBody(p))
}
