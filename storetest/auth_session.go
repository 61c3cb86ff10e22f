package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

func sameSession(t *testing.T, got, want *quire.Session) {
	t.Helper()
	if got.ID != want.ID || got.UserID != want.UserID || !bytes.Equal(got.TokenHash, want.TokenHash) ||
		got.Stage != want.Stage || got.UserAgent != want.UserAgent || !sameTime(got.CreatedAt, want.CreatedAt) ||
		!sameTime(got.LastSeenAt, want.LastSeenAt) || !sameTime(got.ExpiresAt, want.ExpiresAt) {
		t.Fatalf("session = %+v, want %+v", got, want)
	}
}

func mustSession(t *testing.T, s Stores, userID, stage string) *quire.Session {
	t.Helper()
	sess := &quire.Session{UserID: userID, TokenHash: secret(), Stage: stage, UserAgent: "Firefox on Linux",
		ExpiresAt: usec().Add(24 * time.Hour)}
	mustOK(t, s.Auth.CreateSession(context.Background(), sess), "CreateSession")
	return sess
}

func findSession(t *testing.T, s Stores, hash []byte) *quire.Session {
	t.Helper()
	got, err := s.Auth.FindSession(context.Background(), hash)
	mustOK(t, err, "FindSession")
	return got
}

func sessionIDs(t *testing.T, s Stores, userID string) []string {
	t.Helper()
	list, err := s.Auth.FindSessionsByUser(context.Background(), userID)
	mustOK(t, err, "FindSessionsByUser")
	ids := make([]string, len(list))
	for i, x := range list {
		ids[i] = x.ID
	}
	return ids
}

func testSessions(t *testing.T, s Stores) {
	ctx := context.Background()
	u, _ := mustAccount(t, s)
	sess := mustSession(t, s, u.ID, quire.SessionMFA)
	if !quire.ValidID(sess.ID) {
		t.Fatalf("CreateSession set ID %q", sess.ID)
	}
	checkTimes(t, "CreateSession", sess.CreatedAt, sess.LastSeenAt)
	if !sess.LastSeenAt.Equal(sess.CreatedAt) {
		t.Fatalf("a new session's LastSeenAt %v is not its CreatedAt %v", sess.LastSeenAt, sess.CreatedAt)
	}
	sameSession(t, findSession(t, s, sess.TokenHash), sess)
	for _, stage := range []string{quire.SessionFull, quire.SessionReset} {
		x := mustSession(t, s, u.ID, stage)
		if got := findSession(t, s, x.TokenHash); got.Stage != stage {
			t.Fatalf("stage %q came back as %q", stage, got.Stage)
		}
	}

	t.Run("given times are truncated to microseconds", func(t *testing.T) {
		created := time.Date(2030, 1, 2, 3, 4, 5, 999999999, time.FixedZone("Y", -7200))
		x := &quire.Session{UserID: u.ID, TokenHash: secret(), Stage: quire.SessionFull, CreatedAt: created,
			LastSeenAt: created.Add(time.Second), ExpiresAt: created.Add(time.Hour)}
		mustOK(t, s.Auth.CreateSession(ctx, x), "CreateSession")
		if want := created.Truncate(time.Microsecond); !x.CreatedAt.Equal(want) || x.CreatedAt.Location() != time.UTC {
			t.Fatalf("CreatedAt = %v, want %v in UTC", x.CreatedAt, want)
		}
		sameSession(t, findSession(t, s, x.TokenHash), x)
	})

	at := sess.LastSeenAt.Add(90 * time.Second)
	mustOK(t, s.Auth.TouchSession(ctx, sess.ID, at), "TouchSession")
	sess.LastSeenAt = at
	sameSession(t, findSession(t, s, sess.TokenHash), sess)
	mustOK(t, s.Auth.TouchSession(ctx, sess.ID, at.Add(-time.Minute)), "TouchSession with an older time")
	sameSession(t, findSession(t, s, sess.TokenHash), sess)
	wantCode(t, s.Auth.TouchSession(ctx, quire.NewID(), at), quire.ENOTFOUND)

	t.Run("expired sessions are returned as stored", func(t *testing.T) {
		old := &quire.Session{UserID: u.ID, TokenHash: secret(), Stage: quire.SessionFull,
			CreatedAt: usec().Add(-48 * time.Hour), ExpiresAt: usec().Add(-24 * time.Hour)}
		mustOK(t, s.Auth.CreateSession(ctx, old), "CreateSession")
		sameSession(t, findSession(t, s, old.TokenHash), old)
	})

	for name, hash := range map[string][]byte{"unknown": secret(), "prefix": sess.TokenHash[:16], "empty": nil} {
		_, err := s.Auth.FindSession(ctx, hash)
		if quire.ErrorCode(err) != quire.ENOTFOUND {
			t.Fatalf("FindSession(%s hash): err = %v, want ENOTFOUND", name, err)
		}
	}

	other, _ := mustAccount(t, s)
	wantCode(t, s.Auth.DeleteSession(ctx, other.ID, sess.ID), quire.ENOTFOUND)
	sameSession(t, findSession(t, s, sess.TokenHash), sess)
	mustOK(t, s.Auth.DeleteSession(ctx, u.ID, sess.ID), "DeleteSession")
	_, err := s.Auth.FindSession(ctx, sess.TokenHash)
	wantCode(t, err, quire.ENOTFOUND)
	wantCode(t, s.Auth.DeleteSession(ctx, u.ID, sess.ID), quire.ENOTFOUND)
}

func testSessionValidation(t *testing.T, s Stores) {
	ctx := context.Background()
	u, _ := mustAccount(t, s)
	taken := mustSession(t, s, u.ID, quire.SessionFull)
	exp := usec().Add(time.Hour)
	cases := []struct {
		name string
		s    quire.Session
		code string
	}{
		{"unknown user", quire.Session{UserID: quire.NewID(), TokenHash: secret(), Stage: quire.SessionFull, ExpiresAt: exp}, quire.ENOTFOUND},
		{"no token hash", quire.Session{UserID: u.ID, Stage: quire.SessionFull, ExpiresAt: exp}, quire.EINVALID},
		{"bad stage", quire.Session{UserID: u.ID, TokenHash: secret(), Stage: "admin", ExpiresAt: exp}, quire.EINVALID},
		{"no stage", quire.Session{UserID: u.ID, TokenHash: secret(), ExpiresAt: exp}, quire.EINVALID},
		{"duplicate token hash", quire.Session{UserID: u.ID, TokenHash: taken.TokenHash, Stage: quire.SessionFull, ExpiresAt: exp}, quire.ECONFLICT},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := tc.s
			wantCode(t, s.Auth.CreateSession(ctx, &x), tc.code)
		})
	}
	if ids := sessionIDs(t, s, u.ID); len(ids) != 1 || ids[0] != taken.ID {
		t.Fatalf("sessions after refused creates = %v, want only %s", ids, taken.ID)
	}
}

// testDeleteSessions lists a user's sessions oldest first and removes all
// but the one kept (sign out everywhere else), leaving other users alone.
func testDeleteSessions(t *testing.T, s Stores) {
	ctx := context.Background()
	u, _ := mustAccount(t, s)
	other, _ := mustAccount(t, s)
	base := usec().Add(-time.Hour)
	var mine []*quire.Session
	for i := range 4 {
		x := &quire.Session{UserID: u.ID, TokenHash: secret(), Stage: quire.SessionFull, UserAgent: "agent " + itoa(i),
			CreatedAt: base.Add(time.Duration(i) * time.Minute), ExpiresAt: base.Add(24 * time.Hour)}
		mustOK(t, s.Auth.CreateSession(ctx, x), "CreateSession")
		mine = append(mine, x)
	}
	theirs := mustSession(t, s, other.ID, quire.SessionFull)

	list, err := s.Auth.FindSessionsByUser(ctx, u.ID)
	mustOK(t, err, "FindSessionsByUser")
	if len(list) != len(mine) {
		t.Fatalf("FindSessionsByUser returned %d sessions, want %d", len(list), len(mine))
	}
	for i := range mine {
		sameSession(t, list[i], mine[i])
	}
	if ids := sessionIDs(t, s, quire.NewID()); len(ids) != 0 {
		t.Fatalf("an unknown user has sessions %v", ids)
	}

	keep := mine[2]
	mustOK(t, s.Auth.DeleteSessions(ctx, u.ID, keep.ID), "DeleteSessions")
	if ids := sessionIDs(t, s, u.ID); len(ids) != 1 || ids[0] != keep.ID {
		t.Fatalf("after DeleteSessions keeping %s: %v", keep.ID, ids)
	}
	sameSession(t, findSession(t, s, theirs.TokenHash), theirs)
	mustOK(t, s.Auth.DeleteSessions(ctx, other.ID, keep.ID), "DeleteSessions naming another user's session")
	if ids := sessionIDs(t, s, u.ID); len(ids) != 1 {
		t.Fatalf("another user's DeleteSessions removed this user's sessions: %v", ids)
	}
	if ids := sessionIDs(t, s, other.ID); len(ids) != 0 {
		t.Fatalf("DeleteSessions left %v", ids)
	}
	mustOK(t, s.Auth.DeleteSessions(ctx, u.ID, ""), "DeleteSessions keeping none")
	if ids := sessionIDs(t, s, u.ID); len(ids) != 0 {
		t.Fatalf("DeleteSessions keeping none left %v", ids)
	}
}
