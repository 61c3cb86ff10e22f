package trust

import (
	"context"
	"strings"
	"testing"

	"github.com/quirehq/quire/edge/bot"
)

// testBotInfo describes the default detector, as cmd/quire does.
func testBotInfo(t *testing.T) BotInfo {
	t.Helper()
	m, err := bot.DefaultMatcher()
	if err != nil {
		t.Fatal(err)
	}
	d, err := bot.New(bot.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	info := BotInfo{Enabled: true, Signatures: len(m.Signatures()), Categories: map[string]int{}, Vendors: d.VerifiableVendors()}
	for _, s := range m.Signatures() {
		info.Categories[string(s.Category)]++
	}
	return info
}

// TestBOT1FailsWithoutABotPolicy runs the check against a server that
// lets every client through: the bot probes must fail it.
func TestBOT1FailsWithoutABotPolicy(t *testing.T) {
	env := liveEnvWith(t, goodTLS(), false)
	status, ev := checkBOT1(context.Background(), env)
	if status != StatusFail {
		t.Fatalf("status %s, want fail:\n%s", status, strings.Join(ev, "\n"))
	}
	if !strings.Contains(strings.Join(ev, "\n"), "curl on the sign-in page: let through") {
		t.Fatalf("evidence does not name the missed bot:\n%s", strings.Join(ev, "\n"))
	}
}

func TestBOT1FailsOnConfiguration(t *testing.T) {
	for _, tc := range []struct {
		name string
		info BotInfo
		want string
	}{
		{"off", BotInfo{}, "turned off"},
		{"dry run", BotInfo{Enabled: true, DryRun: true, Signatures: 1500}, "dry_run"},
		{"too few signatures", BotInfo{Enabled: true, Signatures: 12}, "fewer than the 600"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, ev := checkBOT1(context.Background(), &Env{Bots: tc.info})
			if status != StatusFail || !strings.Contains(strings.Join(ev, "\n"), tc.want) {
				t.Fatalf("status %s, evidence %q, want fail mentioning %q", status, ev, tc.want)
			}
		})
	}
}
