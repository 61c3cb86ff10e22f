package storetest

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// The AuthStore part of the suite fixes these points that quire.AuthStore
// leaves open, so that SQLite and PostgreSQL behave alike:
//   - CreateSession, CreateAPIKey and CreatePasskey set ID (quire.NewID) when
//     it is empty, and CreatedAt (now) when it is zero; a session's zero
//     LastSeenAt becomes its CreatedAt. Every time given is stored truncated
//     to microseconds in UTC, and the struct is updated to what was stored,
//     so that what a Create leaves equals what a Find reads back.
//   - Required fields: a user that exists (ENOTFOUND otherwise), a non-empty
//     token hash, secret index, one-time token hash or credential ID
//     (EINVALID), a session stage of SessionFull or SessionMFA (EINVALID).
//     A hash, index or credential ID already stored is ECONFLICT.
//   - FindSession returns a session as stored, expired or not: the caller
//     applies idle and absolute timeouts.
//   - TouchSession and TouchAPIKey never move the time backwards.
//   - Lists by user are oldest first (CreatedAt, then ID); an unknown user
//     has an empty list. FindAudit is newest first; limit 0 means no limit.
//   - ReserveLoginAttempt: the attempt that reaches limit is allowed and
//     sets the lock; while locked, attempts are refused and not counted.
//   - ConsumeToken with the wrong purpose is ETOKENINVALID and leaves the
//     token usable for its own purpose; an expired token is never returned.
//   - FindTOTP of a user without a secret is (nil, false, nil); EnableTOTP
//     without a pending secret is ENOTFOUND; DisableTOTP is idempotent.
//   - TOTP, recovery codes and credentials belong to users created with
//     CreateAccount (a user without a credential is ENOTFOUND there).
//   - Audit entries are numbered from 1 without gaps; their Meta round-trips
//     exactly (nil stays nil); the log outlives the users it names.

// authSuite is the AuthStore part of the conformance suite.
var authSuite = []suiteTest{
	{"CreateAccount", testCreateAccount},
	{"CreateAccountAtomic", testCreateAccountAtomic},
	{"CreateAccountConcurrent", testCreateAccountConcurrent},
	{"Credential", testCredential},
	{"LoginAttempts", testLoginAttempts},
	{"LoginAttemptsConcurrent", testLoginAttemptsConcurrent},
	{"LoginLockExpiry", testLoginLockExpiry},
	{"LoginLockIndefinite", testLoginLockIndefinite},
	{"Sessions", testSessions},
	{"SessionValidation", testSessionValidation},
	{"DeleteSessions", testDeleteSessions},
	{"APIKeys", testAPIKeys},
	{"Tokens", testTokens},
	{"TOTP", testTOTP},
	{"RecoveryCodes", testRecoveryCodes},
	{"Passkeys", testPasskeys},
	{"Audit", testAudit},
	{"AuditConcurrent", testAuditConcurrent},
	{"AuditTamper", testAuditTamper},
	{"AuthCascade", testAuthCascade},
	{"AuthRewrap", testAuthRewrap},
}

// runAuth runs the AuthStore tests, each on a fresh backend.
func runAuth(t *testing.T, open func(t *testing.T) Stores) {
	for _, st := range authSuite {
		t.Run("Auth/"+st.name, func(t *testing.T) {
			s := open(t)
			if s.Auth == nil || s.TamperAudit == nil {
				t.Fatal("the backend's Stores has no Auth or TamperAudit: every backend must implement quire.AuthStore")
			}
			st.fn(t, s)
		})
	}
}

// testPasswordHash is a well-formed Argon2id hash; the store keeps it as is.
const testPasswordHash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA"

// mustAccount creates an account with a unique email and returns its user
// and workspace.
func mustAccount(t *testing.T, s Stores) (*quire.User, *quire.Workspace) {
	t.Helper()
	a := &quire.Account{User: &quire.User{Email: marker() + "@example.com", Name: "account"},
		PasswordHash: testPasswordHash, WorkspaceName: "personal", Region: quire.RegionUS}
	w, err := s.Auth.CreateAccount(context.Background(), a)
	mustOK(t, err, "CreateAccount")
	return a.User, w
}

// secret returns 32 random bytes: a token hash, key index or credential ID.
func secret() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

// usec returns the current time in UTC at the stores' precision.
func usec() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func sameTime(a, b time.Time) bool { return a.Equal(b) }
