package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/quirehq/quire/barrier"
)

// TestKeyStore checks the key store's contract beyond what the barrier
// exercises: ErrExists on taken identities, metadata-only listing across
// tenants, and operation counts.
func TestKeyStore(t *testing.T) {
	env := newEnv(t)
	s := env.stores(t, newKey())
	tn := seedTenants(t, s)
	ks, ctx := s.Keys, context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	scopeA := barrier.WorkspaceScope(tn.a.ID)

	t.Run("keyring version taken", func(t *testing.T) {
		err := ks.InsertKeyringKey(ctx, barrier.KeyringKey{Version: 1, Kind: barrier.KindKEK, Wrapped: []byte{1}, CreatedAt: now})
		if !errors.Is(err, barrier.ErrExists) {
			t.Fatalf("err = %v, want ErrExists", err)
		}
	})
	t.Run("data key version taken", func(t *testing.T) {
		err := ks.InsertDataKey(ctx, barrier.DataKey{Scope: scopeA, Version: 1, KEKVersion: 1, Wrapped: []byte{1}, CreatedAt: now})
		if !errors.Is(err, barrier.ErrExists) {
			t.Fatalf("err = %v, want ErrExists", err)
		}
	})
	t.Run("list spans tenants without key material", func(t *testing.T) {
		keys, err := ks.ListDataKeys(ctx)
		mustNil(t, err)
		scopes := map[barrier.Scope]bool{}
		for _, k := range keys {
			if k.Wrapped != nil {
				t.Fatalf("ListDataKeys returned wrapped key material of %s", k.Scope)
			}
			scopes[k.Scope] = true
		}
		for _, want := range []barrier.Scope{scopeA, barrier.WorkspaceScope(tn.b.ID), barrier.UserScope(tn.aUser.ID)} {
			if !scopes[want] {
				t.Fatalf("ListDataKeys lacks %s (has %v)", want, scopes)
			}
		}
	})
	t.Run("load returns the wrapped key", func(t *testing.T) {
		keys, err := ks.LoadDataKeys(ctx, scopeA)
		mustNil(t, err)
		if len(keys) != 1 || keys[0].Scope != scopeA || len(keys[0].Wrapped) == 0 {
			t.Fatalf("LoadDataKeys = %+v", keys)
		}
	})
	t.Run("reserve ops", func(t *testing.T) {
		before, err := ks.ReserveOps(ctx, scopeA, 1, 0)
		mustNil(t, err)
		after, err := ks.ReserveOps(ctx, scopeA, 1, 10)
		mustNil(t, err)
		if after != before+10 {
			t.Fatalf("ReserveOps: %d then %d, want +10", before, after)
		}
		if _, err := ks.ReserveOps(ctx, scopeA, 42, 1); err == nil {
			t.Fatal("ReserveOps on a missing version succeeded")
		}
	})
	t.Run("rewrap and delete one version", func(t *testing.T) {
		k := barrier.DataKey{Scope: scopeA, Version: 7, KEKVersion: 1, Wrapped: []byte{1}, CreatedAt: now}
		mustNil(t, ks.InsertDataKey(ctx, k))
		if err := ks.UpdateDataKeyWrap(ctx, scopeA, 7, 5, []byte{2, 3}); err == nil {
			t.Fatal("a data key was wrapped under a keyring key that does not exist")
		}
		mustNil(t, ks.InsertKeyringKey(ctx, barrier.KeyringKey{Version: 5, Kind: barrier.KindKEK, Wrapped: []byte{9}, CreatedAt: now}))
		mustNil(t, ks.UpdateDataKeyWrap(ctx, scopeA, 7, 5, []byte{2, 3}))
		if err := ks.DeleteKeyringKey(ctx, 5); err == nil {
			t.Fatal("a keyring key that still wraps a data key was deleted")
		}
		keys, err := ks.LoadDataKeys(ctx, scopeA)
		mustNil(t, err)
		var got *barrier.DataKey
		for i := range keys {
			if keys[i].Version == 7 {
				got = &keys[i]
			}
		}
		if got == nil || got.KEKVersion != 5 || string(got.Wrapped) != "\x02\x03" || !got.CreatedAt.Equal(now) {
			t.Fatalf("after UpdateDataKeyWrap: %+v", got)
		}
		mustNil(t, ks.DeleteDataKey(ctx, scopeA, 7))
		keys, err = ks.LoadDataKeys(ctx, scopeA)
		mustNil(t, err)
		if len(keys) != 1 {
			t.Fatalf("after DeleteDataKey: %d keys, want 1", len(keys))
		}
		mustNil(t, ks.DeleteKeyringKey(ctx, 5))
	})
}
