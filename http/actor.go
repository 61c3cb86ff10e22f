package http

import (
	"context"
	"net/http"

	"github.com/quirehq/quire"
)

// Actor is who a request acts for: a browser session or an API key.
type Actor struct {
	UserID  string
	Session *quire.Session // nil for an API key
	Key     *quire.APIKey  // nil for a session
}

type actorKey struct{}

// withActor returns ctx carrying a.
func withActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the request's actor, or nil if it is anonymous.
func ActorFrom(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// requireActor returns the actor of a fully signed-in request, or the
// error that explains what is missing: no sign-in, a second factor still
// owed, or a breached password to change first.
func requireActor(r *http.Request) (*Actor, error) {
	a := ActorFrom(r.Context())
	switch {
	case a == nil:
		return nil, quire.Errorf(quire.EUNAUTHORIZED, "Sign in to continue.")
	case a.Session != nil && a.Session.Stage == quire.SessionMFA:
		return nil, quire.Errorf(quire.EMFAREQUIRED, "Finish signing in with your second factor.")
	case a.Session != nil && a.Session.Stage == quire.SessionReset:
		return nil, quire.Errorf(quire.EPASSWORDRESET, "Your password appeared in a data breach. Choose a new one to continue.")
	}
	return a, nil
}

// requireSession is requireActor for routes only a browser session may
// use (sessions, MFA enrolment, password change), where stage is the
// stage the route accepts besides a full session ("" for none).
func requireSession(r *http.Request, stage string) (*Actor, error) {
	a := ActorFrom(r.Context())
	if a == nil || a.Session == nil {
		return nil, quire.Errorf(quire.EUNAUTHORIZED, "Sign in with a browser session to continue.")
	}
	if stage != "" && a.Session.Stage == stage {
		return a, nil
	}
	return requireActor(r)
}

// sessionBody is requireSession followed by decoding the JSON body into T.
func sessionBody[T any](r *http.Request, stage string) (*Actor, T, error) {
	var in T
	a, err := requireSession(r, stage)
	if err != nil {
		return nil, in, err
	}
	return a, in, DecodeJSON(r, &in)
}
