package trust

import (
	"strings"
	"testing"

	"github.com/quirehq/quire"
)

func TestPostgresIsolation(t *testing.T) {
	good := []quire.TableIsolation{
		{Name: "notes", RLSEnabled: true, RLSForced: true, Policies: 1},
		{Name: "memberships", RLSEnabled: true, RLSForced: true, Policies: 2},
	}
	tests := []struct {
		name       string
		st         quire.IsolationStatus
		production bool
		want       Status
		evidence   string
	}{
		{"dedicated role", quire.IsolationStatus{Role: "quire", Tables: good}, true, StatusPass, `connected as role "quire": not a superuser`},
		{"superuser in production", quire.IsolationStatus{Role: "postgres", Superuser: true, Tables: good}, true, StatusFail, "production mode: role \"postgres\" is a superuser"},
		{"bypassrls in production", quire.IsolationStatus{Role: "q", BypassRLS: true, Tables: good}, true, StatusFail, "has BYPASSRLS"},
		{"owner in production", quire.IsolationStatus{Role: "q", OwnsTables: true, Tables: good}, true, StatusFail, "owns the tables"},
		{"superuser in development", quire.IsolationStatus{Role: "postgres", Superuser: true, OwnsTables: true, Tables: good}, false, StatusPass,
			"warning: development mode, role \"postgres\" is a superuser: row-level security does not apply to it; production refuses this role"},
		{"RLS not forced", quire.IsolationStatus{Role: "q", Tables: []quire.TableIsolation{{Name: "notes", RLSEnabled: true, Policies: 1}}}, true, StatusFail,
			"table notes: row-level security enabled=true, forced=false"},
		{"no policy", quire.IsolationStatus{Role: "q", Tables: []quire.TableIsolation{{Name: "notes", RLSEnabled: true, RLSForced: true}}}, false, StatusFail, "0 policies"},
		{"RLS off", quire.IsolationStatus{Role: "q", Tables: []quire.TableIsolation{{Name: "notes"}}}, false, StatusFail, "enabled=false"},
		{"no tables", quire.IsolationStatus{Role: "q"}, false, StatusFail, "no tenant tables"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e evidence
			postgresIsolation(&e, &tt.st, tt.production)
			st, ev := e.result()
			joined := strings.Join(ev, "\n")
			if st != tt.want || !strings.Contains(joined, tt.evidence) {
				t.Fatalf("status %s, want %s with %q; evidence:\n%s", st, tt.want, tt.evidence, joined)
			}
		})
	}
}
