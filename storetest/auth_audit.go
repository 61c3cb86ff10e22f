package storetest

import (
	"bytes"
	"context"
	"maps"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

func sameAudit(t *testing.T, got, want *quire.AuditEvent) {
	t.Helper()
	if got.Seq != want.Seq || !got.At.Equal(want.At) || got.Event != want.Event || got.UserID != want.UserID ||
		!maps.Equal(got.Meta, want.Meta) || (got.Meta == nil) != (want.Meta == nil) || !bytes.Equal(got.Hash, want.Hash) {
		t.Fatalf("audit event = %+v, want %+v", got, want)
	}
}

func mustAudit(t *testing.T, s Stores, e *quire.AuditEvent) *quire.AuditEvent {
	t.Helper()
	mustOK(t, s.Auth.AppendAudit(context.Background(), e), "AppendAudit")
	return e
}

func wantVerified(t *testing.T, s Stores, n int64) {
	t.Helper()
	got, err := s.Auth.VerifyAudit(context.Background())
	mustOK(t, err, "VerifyAudit")
	if got != n {
		t.Fatalf("VerifyAudit = %d entries, want %d", got, n)
	}
}

// testAudit appends entries, checks the keyed chain by recomputing it, and
// reads a user's events newest first, across a restart.
func testAudit(t *testing.T, s Stores) {
	ctx := context.Background()
	wantVerified(t, s, 0)
	u, _ := mustAccount(t, s)
	at := time.Date(2029, 3, 4, 5, 6, 7, 891011121, time.FixedZone("Z", 5400))
	events := []*quire.AuditEvent{
		mustAudit(t, s, &quire.AuditEvent{Event: "login", UserID: u.ID, Meta: map[string]string{"method": "password", "session": quire.NewID()}}),
		mustAudit(t, s, &quire.AuditEvent{Event: "login_failed", At: at}),
		mustAudit(t, s, &quire.AuditEvent{Event: "mfa_enabled", UserID: u.ID, Meta: map[string]string{}}),
	}
	var prev []byte
	for i, e := range events {
		if e.Seq != int64(i+1) {
			t.Fatalf("entry %d has Seq %d", i, e.Seq)
		}
		if e.At.Location() != time.UTC || !e.At.Equal(e.At.Truncate(time.Microsecond)) {
			t.Fatalf("entry %d At = %v, want UTC at microsecond precision", i, e.At)
		}
		want := s.Barrier.BlindIndex(quire.AuditChainPurpose, append(append([]byte(nil), prev...), e.Canonical()...))
		if !bytes.Equal(e.Hash, want) {
			t.Fatalf("entry %d: Hash is not BlindIndex(AuditChainPurpose, previous hash ‖ Canonical())", i)
		}
		prev = e.Hash
	}
	checkTimes(t, "AppendAudit", events[0].At, events[2].At)
	if !events[1].At.Equal(at.Truncate(time.Microsecond)) {
		t.Fatalf("given At stored as %v, want %v", events[1].At, at.Truncate(time.Microsecond))
	}
	wantVerified(t, s, 3)

	list, err := s.Auth.FindAudit(ctx, u.ID, 0)
	mustOK(t, err, "FindAudit")
	if len(list) != 2 {
		t.Fatalf("FindAudit returned %d events, want the user's 2", len(list))
	}
	sameAudit(t, list[0], events[2])
	sameAudit(t, list[1], events[0])
	list, err = s.Auth.FindAudit(ctx, u.ID, 1)
	mustOK(t, err, "FindAudit limit 1")
	if len(list) != 1 || list[0].Seq != 3 {
		t.Fatalf("FindAudit limit 1 = %d events, want the newest", len(list))
	}

	r := s.Reopen(t)
	wantVerified(t, r, 3)
	e := mustAudit(t, r, &quire.AuditEvent{Event: "logout", UserID: u.ID})
	if e.Seq != 4 {
		t.Fatalf("after restart, Seq = %d, want 4", e.Seq)
	}
	wantVerified(t, r, 4)
}

// testAuditConcurrent appends from many goroutines: the chain stays whole.
func testAuditConcurrent(t *testing.T, s Stores) {
	const n = 20
	seqs := make(chan int64, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			e := &quire.AuditEvent{Event: "event " + itoa(i), UserID: quire.NewID()}
			if err := s.Auth.AppendAudit(context.Background(), e); err != nil {
				errs <- err
				return
			}
			seqs <- e.Seq
		})
	}
	wg.Wait()
	close(errs)
	close(seqs)
	for err := range errs {
		t.Fatalf("concurrent AppendAudit: %v", err)
	}
	seen := map[int64]bool{}
	for seq := range seqs {
		if seq < 1 || seq > n || seen[seq] {
			t.Fatalf("concurrent appends got Seq %d twice or out of 1..%d", seq, n)
		}
		seen[seq] = true
	}
	wantVerified(t, s, n)
}

// testAuditTamper changes one entry below the store: VerifyAudit names it.
func testAuditTamper(t *testing.T, s Stores) {
	for i := range 5 {
		mustAudit(t, s, &quire.AuditEvent{Event: "event " + itoa(i), UserID: quire.NewID()})
	}
	wantVerified(t, s, 5)
	s.TamperAudit(t, 3)
	n, err := s.Auth.VerifyAudit(context.Background())
	if err == nil {
		t.Fatalf("VerifyAudit of a tampered log = %d, nil; want an error", n)
	}
	if !strings.Contains(err.Error(), strconv.Itoa(3)) {
		t.Fatalf("VerifyAudit error %q does not name entry 3", err)
	}
	// The chain stays broken for later entries too: appending does not heal it.
	mustAudit(t, s, &quire.AuditEvent{Event: "after"})
	if _, err := s.Auth.VerifyAudit(context.Background()); err == nil {
		t.Fatal("VerifyAudit passed after an append to a tampered log")
	}
}
