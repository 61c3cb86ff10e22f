package sqlite_test

import (
	"context"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/sqlite"
)

var _ auth.UserCounter = (*sqlite.UserService)(nil)

// TestHasUsers: an empty database has no users (the first-run welcome);
// one sign-up later it has.
func TestHasUsers(t *testing.T) {
	db, b, _ := authtest.SQLite(t)
	users := sqlite.NewUserService(db, b)
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
