package quire

import (
	"context"
	"encoding/json"
	"time"
)

// Error codes of the account system (CONTRACT.md). The HTTP layer maps each
// to one status.
const (
	// EINVALIDCREDENTIALS is a wrong email, password or second factor. It is
	// the same for unknown and known accounts.
	EINVALIDCREDENTIALS = "invalid_credentials"
	// ELOCKED is an account locked after too many failed attempts.
	ELOCKED = "account_locked"
	// ERATELIMITED is a client that sent too many requests.
	ERATELIMITED = "rate_limited"
	// EPASSWORDTOOSHORT, EPASSWORDTOOLONG and EPASSWORDBREACHED refuse a new
	// password; EPASSWORDRESET asks a signed-in user to choose a new one.
	EPASSWORDTOOSHORT = "password_too_short"
	EPASSWORDTOOLONG  = "password_too_long"
	EPASSWORDBREACHED = "password_breached"
	EPASSWORDRESET    = "password_reset_required"
	// EMFAREQUIRED asks for a second factor to finish signing in.
	EMFAREQUIRED = "mfa_required"
	// ETOKENINVALID is an expired, used or unknown one-time token.
	ETOKENINVALID = "token_invalid"
	// EEMAILUNVERIFIED refuses an action that needs a verified address
	// (adding a second factor or an API key, admin rights).
	EEMAILUNVERIFIED = "email_not_verified"
	// EBREACHUNAVAILABLE is a breach check that could not be made while the
	// configuration says to fail closed.
	EBREACHUNAVAILABLE = "breach_check_unavailable"
)

// Account is what sign-up creates in one transaction: the user, its
// password credential and a personal workspace it owns.
type Account struct {
	User          *User
	PasswordHash  string
	WorkspaceName string
	Region        Region
}

// Credential is a user's password and account-security state.
type Credential struct {
	UserID string
	// PasswordHash is an encoded Argon2id hash that carries its parameters.
	PasswordHash string
	// MustReset is set when the password was found breached at sign-in.
	MustReset bool
	// EmailVerifiedAt is zero until the address is verified.
	EmailVerifiedAt time.Time
	// TOTPEnabled reports whether a TOTP secret is enrolled and confirmed.
	TOTPEnabled bool
	UpdatedAt   time.Time
}

// LoginGate is the outcome of reserving one login attempt for an address.
type LoginGate struct {
	// Allowed is false while the address is locked; nothing may be verified.
	Allowed bool
	// Failures counts attempts since the last success, this one included.
	Failures int
	// LockedUntil is when the lock ends; zero if not locked. A lock without
	// end (until an admin unlocks) is IndefiniteLock.
	LockedUntil time.Time
}

// IndefiniteLock is the LockedUntil of a lock that only an admin lifts.
var IndefiniteLock = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Session stages: a session past the password that still owes a second
// factor is SessionMFA; it can do nothing but finish signing in. A session
// whose password was found breached is SessionReset; it can do nothing but
// change the password. Stores keep the stage as given.
const (
	SessionFull  = "full"
	SessionMFA   = "mfa"
	SessionReset = "reset"
)

// Session is a signed-in browser. The token itself is never stored: the
// store keeps only TokenHash (SHA-256 of the 256-bit random token).
type Session struct {
	ID        string
	UserID    string
	TokenHash []byte
	Stage     string
	// UserAgent is a short description of the client (encrypted at rest).
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ExpiresAt is the absolute end of the session.
	ExpiresAt time.Time
}

// APIKey is a personal API key. The secret is shown once; the store keeps
// only a keyed hash of it (SecretIndex) for lookup.
type APIKey struct {
	ID     string
	UserID string
	// Name is the owner's label (encrypted at rest).
	Name string
	// Prefix is the first characters of the key, safe to show in lists.
	Prefix      string
	SecretIndex []byte
	CreatedAt   time.Time
	LastUsedAt  time.Time
}

// One-time token purposes.
const (
	TokenVerifyEmail   = "verify_email"
	TokenResetPassword = "reset_password"
)

// Token is a one-time link token (email verification, password reset). The
// store keeps only its hash.
type Token struct {
	Hash      []byte
	UserID    string
	Purpose   string
	ExpiresAt time.Time
}

// Passkey is a WebAuthn credential. Data is the serialised credential
// (public key, counters, flags; encrypted at rest); CredentialID is the
// authenticator's identifier, used for lookup.
type Passkey struct {
	ID           string
	UserID       string
	CredentialID []byte
	Name         string
	Data         []byte
	CreatedAt    time.Time
	LastUsedAt   time.Time
}

// AuditEvent is one security event. It never holds passwords, tokens or
// content: only what happened, to whom, and identifiers.
type AuditEvent struct {
	Seq    int64
	At     time.Time
	Event  string
	UserID string
	// Meta holds identifiers only (session ID, key ID, method).
	Meta map[string]string
	// Hash chains this entry to the one before (keyed, so it cannot be
	// recomputed by someone who can only write the database).
	Hash []byte
}

// AuthStore stores credentials and everything the account system keeps.
// Every method is atomic. Lookups by secret (session token hash, API key
// index, one-time token hash) are exact matches on the given bytes.
type AuthStore interface {
	// CreateAccount stores the user (ID and times are set), its credential
	// and a personal workspace it owns, all or nothing.
	CreateAccount(ctx context.Context, a *Account) (*Workspace, error)
	FindCredential(ctx context.Context, userID string) (*Credential, error)
	// SetPassword replaces the password hash and sets MustReset.
	SetPassword(ctx context.Context, userID, hash string, mustReset bool) error
	MarkEmailVerified(ctx context.Context, userID string, at time.Time) error

	// ReserveLoginAttempt counts one attempt against the address before
	// anything is verified, so parallel attempts cannot exceed limit. The
	// address is a normalised email and need not belong to a user. If the
	// count reaches limit, the address is locked until now+lockFor
	// (IndefiniteLock when lockFor is 0); an expired lock is cleared first.
	ReserveLoginAttempt(ctx context.Context, email string, limit int, lockFor time.Duration, now time.Time) (LoginGate, error)
	// ClearLoginAttempts resets the count and lifts any lock (a success or
	// an admin unlock).
	ClearLoginAttempts(ctx context.Context, email string) error

	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns the session whose token hashes to tokenHash.
	FindSession(ctx context.Context, tokenHash []byte) (*Session, error)
	// TouchSession records activity at the given time.
	TouchSession(ctx context.Context, id string, at time.Time) error
	FindSessionsByUser(ctx context.Context, userID string) ([]*Session, error)
	DeleteSession(ctx context.Context, userID, id string) error
	// DeleteSessions removes every session of the user except keepID.
	DeleteSessions(ctx context.Context, userID, keepID string) error

	CreateAPIKey(ctx context.Context, k *APIKey) error
	FindAPIKey(ctx context.Context, secretIndex []byte) (*APIKey, error)
	FindAPIKeysByUser(ctx context.Context, userID string) ([]*APIKey, error)
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
	DeleteAPIKey(ctx context.Context, userID, id string) error

	CreateToken(ctx context.Context, t *Token) error
	// ConsumeToken deletes and returns the unexpired token of the purpose,
	// once: a second call, or a call after now passed ExpiresAt, is
	// ETOKENINVALID.
	ConsumeToken(ctx context.Context, hash []byte, purpose string, now time.Time) (*Token, error)
	// DeleteTokens removes every token of the user with the purpose (older
	// reset links once the password has changed).
	DeleteTokens(ctx context.Context, userID, purpose string) error

	// SetTOTP stores the encrypted secret, unconfirmed; EnableTOTP confirms
	// it and replaces the recovery codes (hashes) at once. DisableTOTP
	// removes both.
	SetTOTP(ctx context.Context, userID string, secret []byte) error
	FindTOTP(ctx context.Context, userID string) (secret []byte, enabled bool, err error)
	EnableTOTP(ctx context.Context, userID string, recoveryHashes [][]byte) error
	DisableTOTP(ctx context.Context, userID string) error
	// UseTOTPStep spends a TOTP time step: true if step is later than the
	// last one spent (which it then becomes), false for a replay.
	UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error)
	// UseRecoveryCode consumes the code with the hash, once; false if none.
	UseRecoveryCode(ctx context.Context, userID string, hash []byte) (bool, error)
	CountRecoveryCodes(ctx context.Context, userID string) (int, error)

	CreatePasskey(ctx context.Context, p *Passkey) error
	FindPasskeysByUser(ctx context.Context, userID string) ([]*Passkey, error)
	FindPasskey(ctx context.Context, credentialID []byte) (*Passkey, error)
	UpdatePasskey(ctx context.Context, id string, data []byte, at time.Time) error
	DeletePasskey(ctx context.Context, userID, id string) error

	// AppendAudit appends e (Seq, Hash and At when zero are set) to the
	// chain. VerifyAudit recomputes the whole chain and returns the number of
	// entries, or an error naming the first entry that does not verify.
	AppendAudit(ctx context.Context, e *AuditEvent) error
	FindAudit(ctx context.Context, userID string, limit int) ([]*AuditEvent, error)
	VerifyAudit(ctx context.Context) (int64, error)
}

// AuditChainPurpose is the blind-index purpose whose key chains the audit
// log: Hash = BlindIndex(AuditChainPurpose, previous Hash ‖ Canonical()).
const AuditChainPurpose = "audit.chain"

// Canonical returns the bytes of e that its Hash covers: every field but
// Hash, as JSON with the time in UTC and map keys sorted.
func (e *AuditEvent) Canonical() []byte {
	b, _ := json.Marshal(struct {
		Seq    int64             `json:"seq"`
		At     string            `json:"at"`
		Event  string            `json:"event"`
		UserID string            `json:"userId"`
		Meta   map[string]string `json:"meta"`
	}{e.Seq, e.At.UTC().Format(time.RFC3339Nano), e.Event, e.UserID, e.Meta})
	return b
}
