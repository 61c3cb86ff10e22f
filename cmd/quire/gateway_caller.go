package main

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/gateway/endpoint"
	"github.com/quirehq/quire/gateway/redact"
	"github.com/quirehq/quire/gateway/route"
	qhttp "github.com/quirehq/quire/http"
)

// callerTTL is how long a caller's workspace policy is reused; a change
// through the API drops it at once (forget), so the TTL only bounds what
// another instance's change takes to arrive.
const callerTTL = 10 * time.Second

// maxCallers bounds the cached callers; past it the cache starts over.
const maxCallers = 10_000

// callers finds who a gateway request acts for: the API key's user, the
// workspace the user owns, and that workspace's AI policy (claims AI-2,
// AI-4).
type callers struct {
	ws  quire.WorkspaceService
	now func() time.Time

	mu    sync.Mutex
	cache map[string]cachedCaller // by user ID
	gen   uint64                  // bumped by forget
}

type cachedCaller struct {
	c  endpoint.Caller
	at time.Time
}

func newCallers(ws quire.WorkspaceService) *callers {
	return &callers{ws: ws, now: time.Now, cache: map[string]cachedCaller{}}
}

// authenticate implements endpoint.Config.Authenticate: only an API key,
// which the server's identify step has already checked, is accepted;
// browser sessions are not accepted on the gateway routes.
func (cs *callers) authenticate(r *http.Request) (*endpoint.Caller, error) {
	a := qhttp.ActorFrom(r.Context())
	if a == nil && qhttp.KeyRefused(r.Context()) {
		return nil, endpoint.ErrInvalidKey
	}
	if a == nil || a.Key == nil {
		return nil, endpoint.ErrNoCredentials
	}
	return cs.caller(r.Context(), a.UserID)
}

// caller returns the caller for userID, from the cache when fresh.
func (cs *callers) caller(ctx context.Context, userID string) (*endpoint.Caller, error) {
	now := cs.now()
	cs.mu.Lock()
	cc, ok := cs.cache[userID]
	cs.mu.Unlock()
	if ok && now.Sub(cc.at) < callerTTL {
		c := cc.c
		return &c, nil
	}
	cs.mu.Lock()
	gen := cs.gen
	cs.mu.Unlock()
	c := endpoint.Caller{Account: userID}
	if cs.ws != nil {
		w, err := cs.workspace(ctx, userID)
		if err != nil {
			return nil, err
		}
		if w != "" {
			p, err := cs.ws.AIPolicy(ctx, w)
			if err != nil {
				return nil, err
			}
			c.Workspace = w
			c.Policy = route.Policy{AllowNonZDR: p.AllowNonZDR}
			c.RedactionOff = p.RedactionOff
			for _, s := range p.RedactKinds {
				if k, ok := redact.ParseKind(s); ok {
					c.RedactKinds = append(c.RedactKinds, k)
				}
			}
		}
	}
	cs.mu.Lock()
	// A policy that changed while this one was read must not be cached
	// over the change.
	if cs.gen == gen {
		if len(cs.cache) >= maxCallers {
			clear(cs.cache)
		}
		cs.cache[userID] = cachedCaller{c: c, at: now}
	}
	cs.mu.Unlock()
	out := c
	return &out, nil
}

// workspace picks the workspace a user's API calls are for: the oldest
// one the user owns; "" if none. A workspace the user is only a member of
// never lends its policy (its owner's choices) to the user's own calls:
// without one of their own, calls get the strictest policy.
func (cs *callers) workspace(ctx context.Context, userID string) (string, error) {
	w, err := quire.OwnWorkspace(ctx, cs.ws, userID)
	if err != nil || w == nil {
		return "", err
	}
	return w.ID, nil
}

// forget drops the cached callers of a workspace whose policy changed.
func (cs *callers) forget(workspaceID string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.gen++
	for k, c := range cs.cache {
		if c.c.Workspace == workspaceID {
			delete(cs.cache, k)
		}
	}
}
