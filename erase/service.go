package erase

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/mail"
)

// Verifier re-authenticates a user before their account is deleted
// (auth.Service.ConfirmIdentity).
type Verifier interface {
	ConfirmIdentity(ctx context.Context, userID, password, code, recoveryCode string) error
}

// AccountStore is what erase needs of the account store (quire.AuthStore).
type AccountStore interface {
	ClearLoginAttempts(ctx context.Context, email string) error
	AppendAudit(ctx context.Context, e *quire.AuditEvent) error
}

// Blobs deletes every stored file of a workspace (files.Service).
type Blobs interface {
	DeleteWorkspace(ctx context.Context, workspaceID string) error
}

// Config wires a Service. Blobs, Shares, Forget, Mail, Now and Logger may
// be nil.
type Config struct {
	Deletions  quire.AccountDeletionService
	Users      quire.UserService
	Workspaces quire.WorkspaceService
	Accounts   AccountStore
	Identity   Verifier
	// Shred deletes every data key of a scope (barrier.Barrier.Shred).
	Shred func(ctx context.Context, scope barrier.Scope) error
	Blobs Blobs
	// Shares, if set, is the folder share store: the shares of the
	// user's workspaces are revoked before their keys are shredded, so
	// that no grantee is left holding a share of data that no longer
	// decrypts, and no pending invitation can still be accepted.
	Shares quire.ShareService
	// Forget drops whatever is cached in memory of a workspace, its
	// search index first (finder.Service.Forget).
	Forget func(workspaceID string)
	Mail   mail.Sender
	Now    func() time.Time
	Logger *slog.Logger
	// RetryEvery is how often the background purge retries deletions
	// that did not finish (default 10 minutes).
	RetryEvery time.Duration
}

// Service deletes accounts. It is safe for concurrent use.
type Service struct {
	cfg  Config
	log  *slog.Logger
	wake chan struct{}
	// purging serialises the purges of one process; purges of several
	// processes are idempotent and may overlap.
	purging sync.Mutex
}

// DefaultRetryEvery is how often Run retries unfinished deletions.
const DefaultRetryEvery = 10 * time.Minute

// New returns a Service over cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Deletions == nil || cfg.Users == nil || cfg.Workspaces == nil || cfg.Accounts == nil || cfg.Identity == nil || cfg.Shred == nil {
		return nil, errors.New("erase: Deletions, Users, Workspaces, Accounts, Identity and Shred are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RetryEvery <= 0 {
		cfg.RetryEvery = DefaultRetryEvery
	}
	s := &Service{cfg: cfg, log: cfg.Logger, wake: make(chan struct{}, 1)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Deletions lists the queue, oldest request first.
func (s *Service) Deletions(ctx context.Context) ([]*quire.AccountDeletion, error) {
	return s.cfg.Deletions.FindDeletions(ctx)
}

// now is the service's clock in UTC.
func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// audit records a security event; a failure is logged, never shown: the
// deletion itself stands.
func (s *Service) audit(ctx context.Context, event, userID string, meta map[string]string) {
	if err := s.cfg.Accounts.AppendAudit(context.WithoutCancel(ctx), &quire.AuditEvent{Event: event, UserID: userID, Meta: meta}); err != nil {
		s.log.ErrorContext(ctx, "audit append failed", "event", event, "code", quire.ErrorCode(err))
	}
}

// forget drops the in-memory state of workspace ws.
func (s *Service) forget(ws string) {
	if s.cfg.Forget != nil {
		s.cfg.Forget(ws)
	}
}
