package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// retentionSuite checks quire.RetentionStore: each method deletes exactly
// what is past its period, in batches, across workspaces, and nothing else.
var retentionSuite = []suiteTest{
	{"Sessions", testRetentionSessions},
	{"TokensInBatches", testRetentionTokens},
	{"EmailChanges", testRetentionEmailChanges},
	{"Invitations", testRetentionInvitations},
	{"NoteVersions", testRetentionNoteVersions},
	{"Usage", testRetentionUsage},
	{"AuditTrim", testRetentionAudit},
	{"AuditKeepsNewest", testRetentionAuditNewest},
	{"BadLimit", testRetentionBadLimit},
}

func needRetention(t *testing.T, s Stores) {
	t.Helper()
	if s.Retention == nil {
		t.Fatal("the backend's Stores has no Retention: every backend must implement quire.RetentionStore")
	}
}

// wantRemoved fails unless n is want.
func wantRemoved(t *testing.T, what string, n int, err error, want int) {
	t.Helper()
	mustOK(t, err, what)
	if n != want {
		t.Fatalf("%s removed %d, want %d", what, n, want)
	}
}

func testRetentionSessions(t *testing.T, s Stores) {
	needRetention(t, s)
	ctx, now := context.Background(), usec()
	u, _ := mustAccount(t, s)
	mk := func(created, expires time.Time) *quire.Session {
		sess := &quire.Session{UserID: u.ID, TokenHash: secret(), Stage: quire.SessionFull, UserAgent: "test",
			CreatedAt: created, LastSeenAt: created, ExpiresAt: expires}
		mustOK(t, s.Auth.CreateSession(ctx, sess), "CreateSession")
		return sess
	}
	expired := mk(now.Add(-48*time.Hour), now.Add(-time.Second))
	idle := mk(now.Add(-3*time.Hour), now.Add(24*time.Hour))
	live := mk(now.Add(-time.Minute), now.Add(24*time.Hour))

	n, err := s.Retention.DeleteExpiredSessions(ctx, now, 0, 100)
	wantRemoved(t, "DeleteExpiredSessions without idleness", n, err, 1)
	n, err = s.Retention.DeleteExpiredSessions(ctx, now, 2*time.Hour, 100)
	wantRemoved(t, "DeleteExpiredSessions", n, err, 1)
	for _, gone := range []*quire.Session{expired, idle} {
		_, err := s.Auth.FindSession(ctx, gone.TokenHash)
		wantCode(t, err, quire.ENOTFOUND)
	}
	findSession(t, s, live.TokenHash)
}

func testRetentionTokens(t *testing.T, s Stores) {
	needRetention(t, s)
	ctx, now := context.Background(), usec()
	u, _ := mustAccount(t, s)
	mk := func(expires time.Time) *quire.Token {
		tok := &quire.Token{Hash: secret(), UserID: u.ID, Purpose: quire.TokenResetPassword, ExpiresAt: expires}
		mustOK(t, s.Auth.CreateToken(ctx, tok), "CreateToken")
		return tok
	}
	var expired []*quire.Token
	for range 5 {
		expired = append(expired, mk(now.Add(-time.Minute)))
	}
	live := mk(now.Add(time.Hour))
	for _, want := range []int{2, 2, 1, 0} {
		n, err := s.Retention.DeleteExpiredTokens(ctx, now, 2)
		wantRemoved(t, "DeleteExpiredTokens", n, err, want)
	}
	// A token that still exists is consumed at a time before its expiry.
	for _, tok := range expired {
		_, err := s.Auth.ConsumeToken(ctx, tok.Hash, tok.Purpose, now.Add(-time.Hour))
		wantCode(t, err, quire.ETOKENINVALID)
	}
	_, err := s.Auth.ConsumeToken(ctx, live.Hash, live.Purpose, now)
	mustOK(t, err, "ConsumeToken of the live token")
}

func testRetentionEmailChanges(t *testing.T, s Stores) {
	needRetention(t, s)
	ec, ok := s.Auth.(quire.EmailChangeStore)
	if !ok {
		t.Fatalf("%T is no quire.EmailChangeStore", s.Auth)
	}
	ctx, now := context.Background(), usec()
	a, _ := mustAccount(t, s)
	b, _ := mustAccount(t, s)
	old := &quire.EmailChange{UserID: a.ID, Email: "new-a@example.com", TokenHash: secret(), ExpiresAt: now.Add(-time.Minute)}
	live := &quire.EmailChange{UserID: b.ID, Email: "new-b@example.com", TokenHash: secret(), ExpiresAt: now.Add(time.Hour)}
	mustOK(t, ec.PutEmailChange(ctx, old), "PutEmailChange")
	mustOK(t, ec.PutEmailChange(ctx, live), "PutEmailChange")
	n, err := s.Retention.DeleteExpiredEmailChanges(ctx, now, 100)
	wantRemoved(t, "DeleteExpiredEmailChanges", n, err, 1)
	_, err = ec.ConsumeEmailChange(ctx, old.TokenHash, now.Add(-time.Hour))
	wantCode(t, err, quire.ETOKENINVALID)
	_, err = ec.ConsumeEmailChange(ctx, live.TokenHash, now)
	mustOK(t, err, "ConsumeEmailChange of the live change")
}

// testRetentionInvitations checks that expired invitations go in every
// workspace, and that accepted shares stay whatever their expiry.
func testRetentionInvitations(t *testing.T, s Stores) {
	needRetention(t, s)
	needShares(t, s)
	ctx, now := context.Background(), time.Now()
	owner, sam := mustUser(t, s, "owner"), mustUser(t, s, "sam")
	wsA, wsB := mustWorkspace(t, s, owner, "a"), mustWorkspace(t, s, owner, "b")
	invite := func(ws, email string, expires time.Time) (*quire.FolderShare, []byte) {
		f := mustFolder(t, s, ws, "f-"+marker())
		sh := &quire.FolderShare{WorkspaceID: ws, FolderID: f.ID, Email: email, Permission: quire.ShareRead,
			InvitedBy: owner.ID, ExpiresAt: expires}
		tok := shareToken()
		mustOK(t, s.Shares.CreateShare(ctx, sh, shareEmailIndex(s, email), tok), "CreateShare")
		return sh, tok
	}
	oldA, _ := invite(wsA.ID, "a@example.com", now.Add(-40*24*time.Hour))
	oldB, _ := invite(wsB.ID, "b@example.com", now.Add(-40*24*time.Hour))
	recent, _ := invite(wsA.ID, "c@example.com", now.Add(-24*time.Hour))
	pending, _ := invite(wsB.ID, "d@example.com", shareExpiry())
	accepted, tok := invite(wsA.ID, "sam@example.com", now.Add(time.Minute))
	mustAccept(t, s, accepted, tok, sam.ID)

	n, err := s.Retention.DeleteExpiredInvitations(ctx, now.Add(-30*24*time.Hour), 1)
	wantRemoved(t, "DeleteExpiredInvitations (batch of one)", n, err, 1)
	n, err = s.Retention.DeleteExpiredInvitations(ctx, now.Add(-30*24*time.Hour), 100)
	wantRemoved(t, "DeleteExpiredInvitations", n, err, 1)
	wantShares := func(gone, kept []*quire.FolderShare) {
		t.Helper()
		for _, sh := range gone {
			_, err := s.Shares.FindShareByID(ctx, sh.WorkspaceID, sh.ID)
			wantCode(t, err, quire.ENOTFOUND)
		}
		for _, sh := range kept {
			if _, err := s.Shares.FindShareByID(ctx, sh.WorkspaceID, sh.ID); err != nil {
				t.Fatalf("share %s went with the expired ones: %v", sh.Email, err)
			}
		}
	}
	wantShares([]*quire.FolderShare{oldA, oldB}, []*quire.FolderShare{recent, pending, accepted})
	// Far in the future every pending invitation has expired; an accepted
	// share, whose invitation expiry has passed too, stays.
	n, err = s.Retention.DeleteExpiredInvitations(ctx, now.Add(365*24*time.Hour), 100)
	wantRemoved(t, "DeleteExpiredInvitations in a year", n, err, 2)
	wantShares([]*quire.FolderShare{recent, pending}, []*quire.FolderShare{accepted})
}

// testRetentionNoteVersions checks the sweep of versions the policy no
// longer keeps, in every workspace.
func testRetentionNoteVersions(t *testing.T, s Stores) {
	needRetention(t, s)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	wsA, wsB := mustWorkspace(t, s, owner, "a"), mustWorkspace(t, s, owner, "b")
	a := saves(t, s, mustNote(t, s, wsA.ID, "t1", "c1"), 5) // versions 1 to 5
	b := saves(t, s, mustNote(t, s, wsB.ID, "t1", "c1"), 3) // versions 1 to 3
	keep2 := quire.VersionPolicy{Keep: 2}
	n, err := s.Retention.TrimNoteVersions(ctx, keep2, time.Now(), 2)
	wantRemoved(t, "TrimNoteVersions (batch of two)", n, err, 2)
	n, err = s.Retention.TrimNoteVersions(ctx, keep2, time.Now(), 100)
	wantRemoved(t, "TrimNoteVersions", n, err, 2)
	n, err = s.Retention.TrimNoteVersions(ctx, keep2, time.Now(), 100)
	wantRemoved(t, "TrimNoteVersions again", n, err, 0)
	wantVersions(t, s, wsA.ID, a.ID, 5, 4)
	wantVersions(t, s, wsB.ID, b.ID, 3, 2)

	n, err = s.Retention.TrimNoteVersions(ctx, quire.VersionPolicy{MaxAge: time.Hour}, time.Now(), 100)
	wantRemoved(t, "TrimNoteVersions by age, none old", n, err, 0)
	n, err = s.Retention.TrimNoteVersions(ctx, quire.VersionPolicy{MaxAge: time.Hour}, time.Now().Add(2*time.Hour), 100)
	wantRemoved(t, "TrimNoteVersions by age", n, err, 4)
	wantVersions(t, s, wsA.ID, a.ID)

	b = saves(t, s, b, 2)
	n, err = s.Retention.TrimNoteVersions(ctx, quire.VersionPolicy{Keep: -1}, time.Now(), 100)
	wantRemoved(t, "TrimNoteVersions keeping none", n, err, 2)
	wantVersions(t, s, wsB.ID, b.ID)
	wantNoteUnchanged(t, s, b)
}

func testRetentionUsage(t *testing.T, s Stores) {
	needRetention(t, s)
	needUsage(t, s)
	ctx, now := context.Background(), usec()
	u, v := mustUser(t, s, "u"), mustUser(t, s, "v")
	day := 24 * time.Hour
	mustRecordUsage(t, s, usageAt(u.ID, now.Add(-500*day), 1, 1), usageAt(v.ID, now.Add(-401*day), 1, 1),
		usageAt(u.ID, now.Add(-399*day), 1, 1), usageAt(v.ID, now.Add(-day), 1, 1))
	n, err := s.Retention.DeleteUsageBefore(ctx, now.Add(-400*day), 100)
	wantRemoved(t, "DeleteUsageBefore", n, err, 2)
	for _, id := range []string{u.ID, v.ID} {
		if got := mustListUsage(t, s, id, time.Time{}, 0); len(got) != 1 {
			t.Fatalf("user has %d usage records left, want 1", len(got))
		}
	}
}

// testRetentionAudit trims the oldest entries in batches and checks that
// the chain still verifies from the anchor, and that a change to a kept
// entry is still found.
func testRetentionAudit(t *testing.T, s Stores) {
	needRetention(t, s)
	ctx, now := context.Background(), usec()
	day := 24 * time.Hour
	for i := range 5 {
		mustAudit(t, s, &quire.AuditEvent{Event: "login", At: now.Add(time.Duration(i-400) * day)})
	}
	mustAudit(t, s, &quire.AuditEvent{Event: "login", At: now.Add(-10 * day)})
	mustAudit(t, s, &quire.AuditEvent{Event: "logout", At: now.Add(-9 * day)})
	ageAudit(t, s)
	before := now.Add(-365 * day)

	_, err := s.Retention.TrimAudit(ctx, now.Add(-day), 100)
	wantCode(t, err, quire.EINVALID) // younger than the 30-day floor
	n, err := s.Retention.TrimAudit(ctx, before, 2)
	wantRemoved(t, "TrimAudit (batch of two)", n, err, 2)
	wantVerified(t, s, 7)
	n, err = s.Retention.TrimAudit(ctx, before, 100)
	wantRemoved(t, "TrimAudit", n, err, 3)
	n, err = s.Retention.TrimAudit(ctx, before, 100)
	wantRemoved(t, "TrimAudit again", n, err, 0)
	wantVerified(t, s, 7)
	e := mustAudit(t, s, &quire.AuditEvent{Event: "login"})
	if e.Seq != 8 {
		t.Fatalf("entry after the trim has Seq %d, want 8", e.Seq)
	}
	wantVerified(t, s, 8)

	s.TamperAudit(t, 6)
	if _, err := s.Auth.VerifyAudit(ctx); err == nil {
		t.Fatal("VerifyAudit passed with a kept entry changed")
	}
}

// testRetentionAuditNewest checks that a log older than its period keeps
// its newest entry, so that the chain goes on from it.
func testRetentionAuditNewest(t *testing.T, s Stores) {
	needRetention(t, s)
	ctx, now := context.Background(), usec()
	for i := range 3 {
		mustAudit(t, s, &quire.AuditEvent{Event: "login", At: now.Add(time.Duration(i-500) * 24 * time.Hour)})
	}
	ageAudit(t, s)
	n, err := s.Retention.TrimAudit(ctx, now.Add(-365*24*time.Hour), 100)
	wantRemoved(t, "TrimAudit", n, err, 2)
	mustAudit(t, s, &quire.AuditEvent{Event: "login"})
	wantVerified(t, s, 4)
	n, err = s.Retention.TrimAudit(ctx, now.Add(-365*24*time.Hour), 100)
	wantRemoved(t, "TrimAudit again", n, err, 1)
	wantVerified(t, s, 4)
}

// ageAudit makes the back-dated entries written so far look written when
// they say, for a backend that tells the two apart (Stores.AgeAudit).
func ageAudit(t *testing.T, s Stores) {
	t.Helper()
	if s.AgeAudit != nil {
		s.AgeAudit(t)
	}
}

func testRetentionBadLimit(t *testing.T, s Stores) {
	needRetention(t, s)
	ctx, now := context.Background(), time.Now()
	for name, call := range map[string]func() (int, error){
		"sessions":    func() (int, error) { return s.Retention.DeleteExpiredSessions(ctx, now, 0, 0) },
		"tokens":      func() (int, error) { return s.Retention.DeleteExpiredTokens(ctx, now, 0) },
		"invitations": func() (int, error) { return s.Retention.DeleteExpiredInvitations(ctx, now, -1) },
		"versions":    func() (int, error) { return s.Retention.TrimNoteVersions(ctx, quire.VersionPolicy{}, now, 0) },
		"audit":       func() (int, error) { return s.Retention.TrimAudit(ctx, now.Add(-400*24*time.Hour), 0) },
	} {
		_, err := call()
		if quire.ErrorCode(err) != quire.EINVALID {
			t.Errorf("%s with no batch: err = %v, want EINVALID", name, err)
		}
	}
}
