package shield

import (
	"context"
	"testing"
)

// The gateway's routes are not put to the rules, but the penalty box still
// refuses a client there; a path that only looks like one is inspected.
func TestBypass(t *testing.T) {
	s := mustShield(t, Config{}, true)
	attack := "/v1/chat/completions?q=1%27%20UNION%20SELECT%20password%20FROM%20users--"
	if v := s.Inspect(req("POST", attack, `{}`, [2]string{"Content-Type", "application/json"}), "10.0.0.1"); v.Blocked || !v.Bypassed {
		t.Fatalf("a gateway route was inspected: %+v", v)
	}
	for _, p := range []string{"/api/v1/folders?q=1%27%20UNION%20SELECT%20password%20FROM%20users--",
		"/v1/../api/v1/notes?q=1%27%20UNION%20SELECT%20password%20FROM%20users--",
		"/v1%2Fx?q=1%27%20UNION%20SELECT%20password%20FROM%20users--"} {
		if v := s.Inspect(req("GET", p, ""), "10.0.0.2"); !v.Blocked || v.Bypassed {
			t.Errorf("%s: %+v, want blocked by the rules", p, v)
		}
	}
	for range 5 {
		s.box.Tripped(context.Background(), "10.0.0.3")
	}
	if v := s.Inspect(req("POST", "/v1/chat/completions", `{}`, [2]string{"Content-Type", "application/json"}), "10.0.0.3"); !v.Blocked || !v.Penalised {
		t.Fatalf("a penalised client was let through on a bypassed route: %+v", v)
	}
	none := mustShield(t, Config{Bypass: []string{}}, true)
	if v := none.Inspect(req("POST", attack, `{}`, [2]string{"Content-Type", "application/json"}), "10.0.0.4"); !v.Blocked {
		t.Fatalf("bypass: [] still bypassed: %+v", v)
	}
	if err := (Config{Bypass: []string{"/"}}).Validate(); err == nil {
		t.Fatal(`bypass "/" accepted`)
	}
}
