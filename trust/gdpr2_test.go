package trust

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/sqlite"
)

// hastyChanges applies an email change as soon as it is stored, without
// waiting for the link: what GDPR-2's check must catch.
type hastyChanges struct {
	quire.EmailChangeStore
	users quire.UserService
}

func (h hastyChanges) PutEmailChange(ctx context.Context, c *quire.EmailChange) error {
	if _, err := h.users.UpdateUser(ctx, c.UserID, quire.UserUpdate{Email: &c.Email}); err != nil {
		return err
	}
	return h.EmailChangeStore.PutEmailChange(ctx, c)
}

// reusableChanges lets a link work any number of times.
type reusableChanges struct {
	quire.EmailChangeStore
	last *quire.EmailChange
}

func (r *reusableChanges) PutEmailChange(ctx context.Context, c *quire.EmailChange) error {
	r.last = c
	return r.EmailChangeStore.PutEmailChange(ctx, c)
}

func (r *reusableChanges) ConsumeEmailChange(ctx context.Context, hash []byte, now time.Time) (*quire.EmailChange, error) {
	if _, err := r.EmailChangeStore.ConsumeEmailChange(ctx, hash, now); err != nil && r.last == nil {
		return nil, err
	}
	return r.last, nil
}

func TestGDPR2(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		wrap    func(env *Env, store quire.EmailChangeStore) quire.EmailChangeStore
		want    Status
		evident string
	}{
		{"the stores correct", nil, StatusPass, "the account is found by the new address only"},
		{"no pending changes", func(*Env, quire.EmailChangeStore) quire.EmailChangeStore { return nil }, StatusFail, "not available"},
		{"change before the link", func(env *Env, s quire.EmailChangeStore) quire.EmailChangeStore {
			return hastyChanges{EmailChangeStore: s, users: env.Users}
		}, StatusFail, "took effect before its link was opened"},
		{"a link that works twice", func(_ *Env, s quire.EmailChangeStore) quire.EmailChangeStore {
			return &reusableChanges{EmailChangeStore: s}
		}, StatusFail, "works more than once"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, db := mustOpenSQLite(t, barrier.Options{})
			var store quire.EmailChangeStore = sqlite.NewAuthService(db, env.Barrier)
			if tc.wrap != nil {
				store = tc.wrap(env, store)
			}
			env.EmailChanges = store
			status, ev := checkGDPR2(ctx, env)
			if status != tc.want || !strings.Contains(strings.Join(ev, "\n"), tc.evident) {
				t.Fatalf("got %s %q, want %s with %q", status, ev, tc.want, tc.evident)
			}
			counter, ok := env.Users.(interface {
				HasUsers(context.Context) (bool, error)
			})
			if !ok {
				t.Fatal("the SQLite user store cannot tell whether users are left")
			}
			if left, err := counter.HasUsers(ctx); err != nil || left {
				t.Fatalf("throwaway user left behind (%v, %v)", left, err)
			}
		})
	}
}
