package trust

import (
	"context"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/sqlite"
)

// ccpa1Env is sub1Env over a real SQLite store with its privacy settings.
func ccpa1Env(t *testing.T) (*Env, *sqlite.DB) {
	t.Helper()
	env, db := mustOpenSQLite(t, barrier.Options{})
	ref := sub1Env()
	env.SubProcessors, env.Local, env.Outbound, env.AI = ref.SubProcessors, ref.Local, ref.Outbound, ref.AI
	env.Privacy = sqlite.NewPrivacyService(db)
	return env, db
}

// brokenPrivacy is a store whose saves do nothing, as a store that lost
// an opt-out would.
type brokenPrivacy struct{ quire.PrivacyService }

func (b brokenPrivacy) UpdatePrivacySettings(ctx context.Context, id string, _ quire.PrivacySettings) (*quire.PrivacySettings, error) {
	return b.FindPrivacySettings(ctx, id)
}

// stickyPrivacy answers opted in for everyone: defaults that are on.
type stickyPrivacy struct{ quire.PrivacyService }

func (s stickyPrivacy) FindPrivacySettings(context.Context, string) (*quire.PrivacySettings, error) {
	return &quire.PrivacySettings{Analytics: true, HelpImprove: true}, nil
}

func TestCCPA1(t *testing.T) {
	tests := []struct {
		name   string
		change func(e *Env)
		status Status
		want   string
	}{
		{"ok", func(*Env) {}, StatusPass, "users opted in: analytics 1, help improve 0"},
		{"no list", func(e *Env) { e.SubProcessors = nil }, StatusFail, "the sub-processor list is not known"},
		{"destination off the list", func(e *Env) { e.SubProcessors = e.SubProcessors[:1] }, StatusFail,
			"SMTP relay (starttls) (smtp.example.com:587) is configured but missing from the sub-processor list"},
		{"unknown kind", func(e *Env) { e.SubProcessors[1].Kind = "analytics" }, StatusFail, "analytics SMTP relay is not a known kind of sub-processor"},
		{"no store", func(e *Env) { e.Privacy = nil }, StatusFail, "the privacy settings store is not available"},
		{"no users", func(e *Env) { e.Users = nil }, StatusFail, "the user service is not available"},
		{"defaults on", func(e *Env) { e.Privacy = stickyPrivacy{e.Privacy} }, StatusFail, "a new user's privacy settings are not the defaults"},
		{"opt-in lost", func(e *Env) { e.Privacy = brokenPrivacy{e.Privacy} }, StatusFail, "the privacy gate answers false for analytics after opting in, want true"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, _ := ccpa1Env(t)
			ctx := context.Background()
			u := &quire.User{Email: "opted@example.org", Name: "Opted"}
			if err := env.Users.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			if _, err := env.Privacy.UpdatePrivacySettings(ctx, u.ID, quire.PrivacySettings{Analytics: true}); err != nil {
				t.Fatal(err)
			}
			before := scopes(t, env.Barrier)
			tc.change(env)
			status, ev := checkCCPA1(ctx, env)
			joined := strings.Join(ev, "\n")
			if status != tc.status || !strings.Contains(joined, tc.want) {
				t.Fatalf("status %s, evidence:\n%s\nwant %s with %q", status, joined, tc.status, tc.want)
			}
			if strings.Contains(joined, u.ID) || strings.Contains(joined, u.Email) {
				t.Fatalf("the evidence names a user:\n%s", joined)
			}
			if got := scopes(t, env.Barrier); got != before {
				t.Fatalf("%d key scopes after the check, %d before: the throwaway user was left behind", got, before)
			}
		})
	}
}
