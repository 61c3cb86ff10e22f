package trust

import (
	"context"
	"fmt"

	"github.com/quirehq/quire"
)

// checkISO1 reads the store's isolation state, then proves on canary
// workspaces that one tenant cannot reach another's data.
func checkISO1(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	if env.Inspector == nil {
		e.failf("store inspector not available: the isolation state cannot be read")
		return e.result()
	}
	if !requireServices(&e, env) {
		return e.result()
	}
	st, err := env.Inspector.Isolation(ctx)
	if err != nil {
		e.failf("read the isolation state: %v", err)
		return e.result()
	}
	if env.Backend != "" && st.Backend != env.Backend {
		e.failf("the store reports backend %q but the deployment is configured for %q", st.Backend, env.Backend)
		return e.result()
	}
	switch st.Backend {
	case quire.BackendPostgres:
		postgresIsolation(&e, st, env.Production)
	case quire.BackendSQLite:
		if env.Barrier == nil {
			e.failf("encryption barrier not available: on SQLite isolation rests on per-workspace keys, which cannot be tested without it")
			return e.result()
		}
		e.notef("SQLite: tenants are isolated by per-workspace data keys and by queries scoped to one workspace")
	default:
		e.failf("unknown store backend %q", st.Backend)
		return e.result()
	}
	withCanary(ctx, &e, env, func(c *canary) { isolationProbe(ctx, &e, c) })
	return e.result()
}

// postgresIsolation checks row-level security on every tenant table and
// the role the server connects as.
func postgresIsolation(e *evidence, st *quire.IsolationStatus, production bool) {
	if len(st.Tables) == 0 {
		e.failf("PostgreSQL: the store reports no tenant tables, so row-level security cannot be confirmed")
	}
	for _, t := range st.Tables {
		if !t.RLSEnabled || !t.RLSForced || t.Policies < 1 {
			e.failf("table %s: row-level security enabled=%t, forced=%t, %d policies; want enabled, forced and at least one policy",
				t.Name, t.RLSEnabled, t.RLSForced, t.Policies)
			continue
		}
		e.notef("table %s: row-level security enabled and forced, %d policies", t.Name, t.Policies)
	}
	role := fmt.Sprintf("role %q", st.Role)
	risks := []struct {
		bad  bool
		what string
		why  string
	}{
		{st.Superuser, "is a superuser", "row-level security does not apply to it"},
		{st.BypassRLS, "has BYPASSRLS", "row-level security does not apply to it"},
		{st.OwnsTables, "owns the tables", "forced row-level security still applies, but it could alter or disable it"},
	}
	clean := true
	for _, r := range risks {
		switch {
		case !r.bad:
		case production:
			clean = false
			e.failf("production mode: %s %s (%s); quire must refuse this role in production", role, r.what, r.why)
		default:
			clean = false
			e.notef("warning: development mode, %s %s: %s; production refuses this role", role, r.what, r.why)
		}
	}
	if clean {
		e.notef("PostgreSQL: connected as %s: not a superuser, no BYPASSRLS, does not own the tables", role)
	}
}
