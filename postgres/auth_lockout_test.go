package postgres

import (
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// TestDecideAttempt is the lockout rule on its own, without a database.
func TestDecideAttempt(t *testing.T) {
	at := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	hour := time.Hour
	cases := []struct {
		name        string
		failures    int
		lockedUntil time.Time
		limit       int
		lockFor     time.Duration
		want        quire.LoginGate
		write       bool
	}{
		{"first attempt", 0, time.Time{}, 3, hour, quire.LoginGate{Allowed: true, Failures: 1}, true},
		{"below limit", 1, time.Time{}, 3, hour, quire.LoginGate{Allowed: true, Failures: 2}, true},
		{"reaches limit: allowed and locks", 2, time.Time{}, 3, hour, quire.LoginGate{Allowed: true, Failures: 3, LockedUntil: at.Add(hour)}, true},
		{"locked: refused, not counted", 3, at.Add(time.Minute), 3, hour, quire.LoginGate{Failures: 3, LockedUntil: at.Add(time.Minute)}, false},
		{"lock ends exactly now: cleared", 3, at, 3, hour, quire.LoginGate{Allowed: true, Failures: 1}, true},
		{"expired lock: count restarts", 3, at.Add(-time.Second), 1, hour, quire.LoginGate{Allowed: true, Failures: 1, LockedUntil: at.Add(hour)}, true},
		{"indefinite", 0, time.Time{}, 1, 0, quire.LoginGate{Allowed: true, Failures: 1, LockedUntil: quire.IndefiniteLock}, true},
		{"indefinite lock holds", 1, quire.IndefiniteLock, 1, 0, quire.LoginGate{Failures: 1, LockedUntil: quire.IndefiniteLock}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, write := decideAttempt(tc.failures, tc.lockedUntil, tc.limit, tc.lockFor, at)
			if got != tc.want || write != tc.write {
				t.Fatalf("decideAttempt = %+v, write %v; want %+v, write %v", got, write, tc.want, tc.write)
			}
		})
	}
}
