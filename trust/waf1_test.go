package trust

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/edge/shield"
)

// testShieldInfo describes a default shield, with a shield of its own to
// put attacks to, as quire trust does.
func testShieldInfo(t *testing.T) ShieldInfo {
	t.Helper()
	sh, err := shield.New(shield.Config{})
	if err != nil {
		t.Fatal(err)
	}
	c := shield.Config{}.WithDefaults()
	return ShieldInfo{Enabled: true, ParanoiaLevel: c.ParanoiaLevel, Threshold: c.InboundAnomalyThreshold, CRSVersion: "v4.25.0",
		Trips: c.Penalty.Trips, Window: c.Penalty.Window, BlockFor: c.Penalty.BlockFor,
		Inspect: func(r *http.Request, client string) ShieldVerdict {
			v := sh.Inspect(r, client)
			return ShieldVerdict{Blocked: v.Blocked, Penalised: v.Penalised, Categories: v.Categories}
		}}
}

// TestWAF1FailsWithoutAShieldOnTheServer: the in-process attacks pass, but
// the live server lets the attacks through.
func TestWAF1FailsWithoutAShieldOnTheServer(t *testing.T) {
	env := liveEnvWith(t, goodTLS(), false)
	env.Shield = testShieldInfo(t)
	status, ev := checkWAF1(context.Background(), env)
	joined := strings.Join(ev, "\n")
	if status != StatusFail || !strings.Contains(joined, "want 403 shield_blocked") {
		t.Fatalf("status %s, want fail naming the live attack:\n%s", status, joined)
	}
}

func TestWAF1FailsOnABrokenShield(t *testing.T) {
	lenient := func(*http.Request, string) ShieldVerdict { return ShieldVerdict{} }
	never := func(*http.Request, string) ShieldVerdict {
		return ShieldVerdict{Blocked: true, Categories: []string{"sqli"}}
	}
	for _, tc := range []struct {
		name string
		info ShieldInfo
		want string
	}{
		{"off", ShieldInfo{}, "turned off"},
		{"dry run", ShieldInfo{Enabled: true, DryRun: true}, "dry-run"},
		{"no shield here", ShieldInfo{Enabled: true, Trips: 1}, "no shield could be built"},
		{"blocks nothing", ShieldInfo{Enabled: true, Trips: 1, Inspect: lenient}, "SQL injection in a query: not blocked"},
		{"wrong class", ShieldInfo{Enabled: true, Trips: 1, Inspect: never}, "cross-site scripting in a form: blocked, but as [sqli]"},
		{"no penalty box", ShieldInfo{Enabled: true, Trips: 2, Window: time.Minute, Inspect: never}, "was not put in the penalty box"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, ev := checkWAF1(context.Background(), &Env{Shield: tc.info})
			if status != StatusFail || !strings.Contains(strings.Join(ev, "\n"), tc.want) {
				t.Fatalf("status %s, evidence %q, want fail mentioning %q", status, ev, tc.want)
			}
		})
	}
}
