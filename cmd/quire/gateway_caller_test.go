package main

import (
	"context"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// policyStore is a WorkspaceService with just what callers reads.
type policyStore struct {
	quire.WorkspaceService
	ws     []*quire.Workspace
	policy map[string]*quire.AIPolicy
	during func() // runs while a policy is being read
}

func (p *policyStore) FindWorkspacesByUser(context.Context, string) ([]*quire.Workspace, error) {
	return p.ws, nil
}

func (p *policyStore) AIPolicy(_ context.Context, id string) (*quire.AIPolicy, error) {
	pol := *p.policy[id]
	if p.during != nil {
		p.during()
	}
	return &pol, nil
}

func TestCallersOwnWorkspaceOnly(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := &policyStore{ws: []*quire.Workspace{{ID: "theirs", OwnerID: "mallory", CreatedAt: t0}},
		policy: map[string]*quire.AIPolicy{"theirs": {AllowNonZDR: true, RedactionOff: true}, "mine": {}}}
	cs := newCallers(st)
	c, err := cs.caller(context.Background(), "victim")
	if err != nil {
		t.Fatal(err)
	}
	if c.Workspace != "" || c.Policy.AllowNonZDR || c.RedactionOff {
		t.Fatalf("a member's calls took the owner's policy: %+v", c)
	}
	st.ws = append(st.ws, &quire.Workspace{ID: "mine", OwnerID: "victim", CreatedAt: t0.Add(time.Hour)})
	cs.forget("")
	clear(cs.cache)
	if c, _ = cs.caller(context.Background(), "victim"); c.Workspace != "mine" {
		t.Fatalf("the user's own workspace was not chosen: %+v", c)
	}
}

func TestCallersChangeDuringRead(t *testing.T) {
	st := &policyStore{ws: []*quire.Workspace{{ID: "w", OwnerID: "u"}}, policy: map[string]*quire.AIPolicy{"w": {AllowNonZDR: true}}}
	cs := newCallers(st)
	st.during = func() {
		st.policy["w"] = &quire.AIPolicy{} // the owner opts back in meanwhile
		cs.forget("w")
	}
	if _, err := cs.caller(context.Background(), "u"); err != nil {
		t.Fatal(err)
	}
	st.during = nil
	c, _ := cs.caller(context.Background(), "u")
	if c.Policy.AllowNonZDR {
		t.Fatal("a policy read before a change was cached over it")
	}
}
