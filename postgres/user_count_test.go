package postgres

import (
	"context"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/barrier"
)

var _ auth.UserCounter = (*UserService)(nil)

// TestHasUsers: the application role can tell an empty server (the
// first-run welcome) from one with an account.
func TestHasUsers(t *testing.T) {
	env := newEnv(t)
	db := mustOpen(t, env.config())
	b, err := barrier.Open(context.Background(), barrier.StaticSource(newKey()), NewKeyStore(db), barrier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	users := NewUserService(db, b)
	ctx := context.Background()
	if has, err := users.HasUsers(ctx); err != nil || has {
		t.Fatalf("HasUsers on a new database = %t, %v; want false", has, err)
	}
	if err := users.CreateUser(ctx, &quire.User{Email: "first@example.com"}); err != nil {
		t.Fatal(err)
	}
	if has, err := users.HasUsers(ctx); err != nil || !has {
		t.Fatalf("HasUsers after a sign-up = %t, %v; want true", has, err)
	}
}
