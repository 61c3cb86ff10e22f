package trust

import (
	"context"
	"crypto/x509"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"sync"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// Env carries what the checks need. Every field is optional: a check whose
// dependency is missing reports fail with evidence saying what was not
// available, since a claim that cannot be verified must not pass.
type Env struct {
	// URL is the running server's HTTPS base URL, such as
	// https://127.0.0.1:8443. Empty means no live server is checked.
	URL string
	// HTTPURL is the plain-HTTP redirect listener, such as
	// http://127.0.0.1:8080. Empty means it is disabled.
	HTTPURL string
	// ServerName is the name the server's certificate must carry when it
	// differs from URL's host: a server probing itself on its listen
	// address (127.0.0.1) under a certificate for its public name.
	ServerName string
	// RootCAs verifies the server certificate (the self-signed development
	// certificate, say); nil means the system roots.
	RootCAs *x509.CertPool

	// DataDir is the data directory that ENC-1 scans raw.
	DataDir string
	// Backend is quire.BackendSQLite or quire.BackendPostgres.
	Backend string
	// Production is true when the deployment runs in production mode.
	Production bool

	// Inspector looks at the store from below the barrier (ENC-1, ISO-1).
	Inspector quire.StoreInspector
	// Users, Workspaces and Notes are the store's services, through which
	// the checks write and delete their canary data.
	Users      quire.UserService
	Workspaces quire.WorkspaceService
	Notes      quire.NoteService
	// Barrier is the deployment's unsealed encryption barrier (ENC-2, ISO-1).
	Barrier *barrier.Barrier

	// Accounts confirms and deletes the throwaway accounts the account
	// checks (ACC-*) create on the live server; without it the checks that
	// need a confirmed address fail, and the accounts are left there.
	Accounts Accounts
	// Auth describes the account-security settings the checks expect.
	Auth AuthInfo
	// Limits describes the server's L7 limits (DOS-1).
	Limits LimitsInfo
	// RateLimit describes the request rate limits (RL-1).
	RateLimit RateLimitInfo
	// Bots describes bot detection (BOT-1).
	Bots BotInfo
	// Shield describes the shield and reaches it in process (WAF-1).
	Shield ShieldInfo

	// SourceAddr is the local address the probes connect from; the zero
	// Addr leaves it to the system. A server checking itself on 127.0.0.1
	// probes from another loopback address, so that the checks, which use
	// up one address's budgets on purpose (RL-1, DOS-1), never spend those
	// of a person using Quire on the same machine.
	SourceAddr netip.Addr

	// Logs describes the diagnostic logs (claim AI-5).
	Logs LogInfo
	// AI describes the AI gateway (claims AI-1 to AI-4).
	AI AIInfo
	// Outbound lists the configured outbound connections (claim TLS-2);
	// nil means they are not known.
	Outbound []Outbound
	// SubProcessors is the sub-processor list generated from this
	// process's configuration (claim SUB-1), shown on the trust page; nil
	// means it is not known. Local names the components that stay on this
	// machine and are therefore not listed.
	SubProcessors []quire.SubProcessor
	Local         []string
	// Privacy is the users' privacy settings store (claim CCPA-1): the
	// check reads a throwaway user's defaults through it and counts the
	// opt-ins. Nil fails the check.
	Privacy quire.PrivacyService
	// EmailChanges holds pending email changes (claim GDPR-2): the check
	// corrects a throwaway user's address through it. Nil fails the check.
	EmailChanges quire.EmailChangeStore
	// Deletions is the account deletion queue (claim GDPR-3): the check
	// reads it and counts. Nil fails the check.
	Deletions quire.AccountDeletionService
	// Exports describes the users' data exports (claim GDPR-1).
	Exports ExportInfo
	// Disclosure describes vulnerability disclosure (claim VDP-1).
	Disclosure DisclosureInfo
	// Retention describes the retention janitor, whose rules the report
	// lists (and AI-5 looks up its diagnostic-log rule in).
	Retention RetentionInfo

	// Timeout bounds each check that sets no timeout of its own;
	// zero means DefaultTimeout.
	Timeout time.Duration
	// ScanLimit bounds how many bytes of the data directory ENC-1 reads;
	// zero means DefaultScanLimit. A larger directory fails the check
	// rather than being passed half-scanned.
	ScanLimit int64

	// checks counts check goroutines still running, for Wait.
	checks sync.WaitGroup
}

// Wait returns once every check started on e has ended, including checks
// that a cancelled run left to finish deleting their canary data. Call it
// after the runs have stopped and before closing the store.
func (e *Env) Wait() { e.checks.Wait() }

// LogInfo describes the diagnostic log files and the production logger.
type LogInfo struct {
	// Dir holds the rolling log files, named quire-*.log.
	Dir string
	// Retention is how long log files are kept.
	Retention time.Duration
	// NewLogger returns the production logger, with its masking layer,
	// writing JSON records to w.
	NewLogger func(w io.Writer) *slog.Logger
}

// Defaults for Env's zero values.
const (
	DefaultTimeout   = 30 * time.Second
	DefaultScanLimit = 1 << 30
)

func (e *Env) timeout() time.Duration {
	if e.Timeout > 0 {
		return e.Timeout
	}
	return DefaultTimeout
}

func (e *Env) scanLimit() int64 {
	if e.ScanLimit > 0 {
		return e.ScanLimit
	}
	return DefaultScanLimit
}

// Accounts is the store access the account checks need: confirming a
// throwaway account's address (it cannot receive mail) and deleting the
// account, with its workspaces and keys (crypto-shredded).
type Accounts interface {
	ConfirmAddress(ctx context.Context, email string) error
	DeleteAccountByEmail(ctx context.Context, email string) error
	// Unlock lifts the lock a check put on an address (actorID "" is the
	// operator).
	Unlock(ctx context.Context, email, actorID string) error
}

// AuthInfo is the account-security configuration the checks compare the
// live server against.
type AuthInfo struct {
	// LockoutAttempts is the configured lockout threshold; zero means the
	// default of 10. LockoutDuration is how long a lock lasts (zero: an
	// hour), unless LockoutIndefinite.
	LockoutAttempts   int
	LockoutDuration   time.Duration
	LockoutIndefinite bool
	// MinPasswordLength is the shortest password accepted (zero: 8).
	MinPasswordLength int
	// BreachRangeURL is the k-anonymity range API in use ("" if off), and
	// BreachFailClosed whether its failures refuse the password.
	BreachRangeURL   string
	BreachFailClosed bool
	// SessionIdle and SessionLifetime are the session timeouts.
	SessionIdle, SessionLifetime time.Duration
}

// tlsName is the name the certificate of the server at u must carry.
func (e *Env) tlsName(u *url.URL) string {
	if e.ServerName != "" {
		return e.ServerName
	}
	return u.Hostname()
}
