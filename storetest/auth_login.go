package storetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// reserve calls ReserveLoginAttempt and fails the test on an error.
func reserve(t *testing.T, s Stores, email string, limit int, lockFor time.Duration, now time.Time) quire.LoginGate {
	t.Helper()
	g, err := s.Auth.ReserveLoginAttempt(context.Background(), email, limit, lockFor, now)
	mustOK(t, err, "ReserveLoginAttempt")
	return g
}

func wantGate(t *testing.T, got quire.LoginGate, allowed bool, failures int, lockedUntil time.Time) {
	t.Helper()
	if got.Allowed != allowed || got.Failures != failures || !got.LockedUntil.Equal(lockedUntil) {
		t.Fatalf("gate = %+v, want allowed %v, failures %d, locked until %v", got, allowed, failures, lockedUntil)
	}
}

// testLoginAttempts counts attempts up to the lock, refuses while locked,
// keeps addresses apart and clears on success. The address need not be a
// user's.
func testLoginAttempts(t *testing.T, s Stores) {
	ctx := context.Background()
	now := usec()
	email := "nobody-" + marker() + "@example.com"
	other := "other-" + marker() + "@example.com"
	const limit, lockFor = 3, time.Hour
	until := now.Add(lockFor)

	wantGate(t, reserve(t, s, email, limit, lockFor, now), true, 1, time.Time{})
	wantGate(t, reserve(t, s, email, limit, lockFor, now), true, 2, time.Time{})
	wantGate(t, reserve(t, s, email, limit, lockFor, now), true, 3, until)
	for range 3 {
		wantGate(t, reserve(t, s, email, limit, lockFor, now.Add(time.Minute)), false, 3, until)
	}
	wantGate(t, reserve(t, s, other, limit, lockFor, now), true, 1, time.Time{})

	mustOK(t, s.Auth.ClearLoginAttempts(ctx, email), "ClearLoginAttempts")
	wantGate(t, reserve(t, s, email, limit, lockFor, now.Add(time.Minute)), true, 1, time.Time{})
	wantGate(t, reserve(t, s, other, limit, lockFor, now), true, 2, time.Time{})
	mustOK(t, s.Auth.ClearLoginAttempts(ctx, "never-seen-"+marker()+"@example.com"), "ClearLoginAttempts of an unknown address")

	u, _ := mustAccount(t, s)
	wantGate(t, reserve(t, s, u.Email, 1, lockFor, now), true, 1, until)
	wantGate(t, reserve(t, s, u.Email, 1, lockFor, now), false, 1, until)
	mustOK(t, s.Auth.ClearLoginAttempts(ctx, u.Email), "ClearLoginAttempts (admin unlock)")
	wantGate(t, reserve(t, s, u.Email, 1, lockFor, now), true, 1, until)
}

// testLoginAttemptsConcurrent is claim ACC-3's "safe under parallel
// attempts": 100 simultaneous attempts with a limit of 10 let exactly 10
// through.
func testLoginAttemptsConcurrent(t *testing.T, s Stores) {
	email := marker() + "@example.com"
	now := usec()
	const n, limit = 100, 10
	var allowed, refused atomic.Int32
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			g, err := s.Auth.ReserveLoginAttempt(context.Background(), email, limit, time.Hour, now)
			if err != nil {
				errs <- err
				return
			}
			if g.Allowed {
				allowed.Add(1)
			} else {
				refused.Add(1)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent ReserveLoginAttempt: %v", err)
	}
	if allowed.Load() != limit || refused.Load() != n-limit {
		t.Fatalf("%d of %d parallel attempts allowed (%d refused), want exactly %d", allowed.Load(), n, refused.Load(), limit)
	}
	wantGate(t, reserve(t, s, email, limit, time.Hour, now), false, limit, now.Add(time.Hour))
}

// testLoginLockExpiry checks that a lock ends at its time: the count
// starts again from one.
func testLoginLockExpiry(t *testing.T, s Stores) {
	email := marker() + "@example.com"
	now := usec()
	const lockFor = 15 * time.Minute
	until := now.Add(lockFor)
	wantGate(t, reserve(t, s, email, 2, lockFor, now), true, 1, time.Time{})
	wantGate(t, reserve(t, s, email, 2, lockFor, now), true, 2, until)
	wantGate(t, reserve(t, s, email, 2, lockFor, until.Add(-time.Second)), false, 2, until)

	later := until.Add(time.Second)
	wantGate(t, reserve(t, s, email, 2, lockFor, later), true, 1, time.Time{})
	wantGate(t, reserve(t, s, email, 2, lockFor, later), true, 2, later.Add(lockFor))
	wantGate(t, reserve(t, s, email, 2, lockFor, later), false, 2, later.Add(lockFor))
}

// testLoginLockIndefinite checks that lockFor 0 locks until an admin
// unlocks, however far the clock moves.
func testLoginLockIndefinite(t *testing.T, s Stores) {
	email := marker() + "@example.com"
	now := usec()
	wantGate(t, reserve(t, s, email, 1, 0, now), true, 1, quire.IndefiniteLock)
	wantGate(t, reserve(t, s, email, 1, 0, now.AddDate(100, 0, 0)), false, 1, quire.IndefiniteLock)
	mustOK(t, s.Auth.ClearLoginAttempts(context.Background(), email), "ClearLoginAttempts")
	wantGate(t, reserve(t, s, email, 5, 0, now.AddDate(100, 0, 0)), true, 1, time.Time{})
}
