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

func TestGDPR3(t *testing.T) {
	ctx := context.Background()
	hour := time.Hour
	type entry struct {
		age    time.Duration // since the request
		status string
	}
	tests := []struct {
		name    string
		queue   []entry
		want    Status
		evident string
	}{
		{"empty queue", nil, StatusPass, "0 deletions requested"},
		{"purged and shredded in time", []entry{{40 * 24 * hour, quire.DeletionDone}, {24 * hour, quire.DeletionShredded}}, StatusPass,
			"2 deletions requested: 1 purged, 1 shredded and awaiting their purge, 0 awaiting their shred"},
		{"being shredded now", []entry{{time.Second, quire.DeletionPending}}, StatusPass, "1 awaiting their shred"},
		{"keys kept too long", []entry{{hour, quire.DeletionPending}}, StatusFail, "1 deletions have waited more than 30m0s"},
		{"past the deadline", []entry{{31 * 24 * hour, quire.DeletionShredded}}, StatusFail, "1 deletions are past their 30-day deadline"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, db := mustOpenSQLite(t, barrier.Options{})
			env.Deletions = sqlite.NewDeletionService(db)
			for i, q := range tc.queue {
				u := &quire.User{Email: "gone" + string(rune('a'+i)) + "@example.com"}
				if err := env.Users.CreateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
				at := time.Now().Add(-q.age).UTC()
				d := &quire.AccountDeletion{UserID: u.ID, RequestedAt: at, Deadline: at.Add(quire.DeletionDeadline)}
				if err := env.Deletions.RequestDeletion(ctx, d); err != nil {
					t.Fatal(err)
				}
				if q.status == quire.DeletionShredded || q.status == quire.DeletionDone {
					if err := env.Deletions.MarkDeletion(ctx, u.ID, quire.DeletionShredded, at); err != nil {
						t.Fatal(err)
					}
				}
				if q.status == quire.DeletionDone {
					if err := env.Deletions.MarkDeletion(ctx, u.ID, quire.DeletionDone, at); err != nil {
						t.Fatal(err)
					}
				}
			}
			status, ev := checkGDPR3(ctx, env)
			if status != tc.want || !strings.Contains(strings.Join(ev, "\n"), tc.evident) {
				t.Fatalf("status %s, evidence:\n%s\nwant %s with %q", status, strings.Join(ev, "\n"), tc.want, tc.evident)
			}
		})
	}
	status, ev := checkGDPR3(ctx, &Env{})
	if status != StatusFail || !strings.Contains(strings.Join(ev, "\n"), "not available") {
		t.Fatalf("without a queue: %s %v", status, ev)
	}
}
