package trust

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/quirehq/quire"
)

// cleanupTimeout bounds deleting a canary, which runs even when the check's
// own context has expired.
const cleanupTimeout = 15 * time.Second

// newMarker returns a fresh random marker. It is long and random enough that
// finding it anywhere means the value it was written in leaked there.
func newMarker() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return "qm" + hex.EncodeToString(b[:])
}

// marker is one random value a canary wrote, with the field it went into.
type marker struct {
	field string
	value string
}

// canary is throwaway data written through the store's services to test it
// from below: one user, its workspaces, their notes. Every user-provided
// field carries a fresh marker.
type canary struct {
	env     *Env
	user    *quire.User
	spaces  []*quire.Workspace
	markers []marker
}

func (c *canary) mark(field string) string {
	m := newMarker()
	c.markers = append(c.markers, marker{field: field, value: m})
	return m
}

func (c *canary) addUser(ctx context.Context) error {
	u := &quire.User{Email: c.mark("user email") + "@canary.invalid", Name: "Canary " + c.mark("user name")}
	if err := c.env.Users.CreateUser(ctx, u); err != nil {
		return fmt.Errorf("create the canary user: %w", err)
	}
	c.user = u
	return nil
}

func (c *canary) addWorkspace(ctx context.Context) (*quire.Workspace, error) {
	w := &quire.Workspace{Name: "Canary " + c.mark("workspace name"), Region: quire.RegionUS, OwnerID: c.user.ID}
	if err := c.env.Workspaces.CreateWorkspace(ctx, w); err != nil {
		return nil, fmt.Errorf("create a canary workspace: %w", err)
	}
	c.spaces = append(c.spaces, w)
	return w, nil
}

func (c *canary) addNote(ctx context.Context, w *quire.Workspace) (*quire.Note, error) {
	n := &quire.Note{
		WorkspaceID: w.ID,
		Title:       "Canary " + c.mark("note title"),
		Content:     "# Canary\n\nThis note tests encryption at rest: " + c.mark("note content") + "\n",
	}
	if err := c.env.Notes.CreateNote(ctx, n); err != nil {
		return nil, fmt.Errorf("create a canary note: %w", err)
	}
	return n, nil
}

// deleteWorkspace deletes one canary workspace, shredding its data key.
func (c *canary) deleteWorkspace(ctx context.Context, w *quire.Workspace) error {
	if err := c.env.Workspaces.DeleteWorkspace(ctx, w.ID); err != nil {
		return fmt.Errorf("delete a canary workspace: %w", err)
	}
	for i, s := range c.spaces {
		if s == w {
			c.spaces = append(c.spaces[:i], c.spaces[i+1:]...)
			break
		}
	}
	return nil
}

// cleanup deletes whatever the canary created, even after the check's
// context ended, and records a failure for anything left behind. It reports
// whether it deleted something and nothing was left.
func (c *canary) cleanup(ctx context.Context, e *evidence) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if c.user == nil {
		return false
	}
	for len(c.spaces) > 0 {
		if err := c.deleteWorkspace(ctx, c.spaces[0]); err != nil {
			e.failf("cleanup: %v", err)
			return false
		}
	}
	if err := c.env.Users.DeleteUser(ctx, c.user.ID); err != nil {
		e.failf("cleanup: delete the canary user: %v", err)
		return false
	}
	c.user = nil
	return true
}

// withCanary runs body with a fresh canary and deletes the canary
// afterwards, even if body panics.
func withCanary(ctx context.Context, e *evidence, env *Env, body func(c *canary)) {
	c := &canary{env: env}
	defer func() {
		if c.cleanup(ctx, e) {
			e.notef("canary deleted: its workspace data keys were shredded")
		}
	}()
	body(c)
}

// requireServices fails e unless env has the store's services.
func requireServices(e *evidence, env *Env) bool {
	var missing []string
	if env.Users == nil {
		missing = append(missing, "user service")
	}
	if env.Workspaces == nil {
		missing = append(missing, "workspace service")
	}
	if env.Notes == nil {
		missing = append(missing, "note service")
	}
	if len(missing) > 0 {
		e.failf("%s not available: run with the deployment's configuration so the check can open its store", strings.Join(missing, ", "))
		return false
	}
	return true
}
