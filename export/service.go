package export

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/quirehq/quire"
)

// Defaults of Config.
const (
	// DefaultTTL is how long a ready archive may be downloaded.
	DefaultTTL = 7 * 24 * time.Hour
	// DefaultPerDay is how many exports a user may start per 24 hours.
	DefaultPerDay = 3
	// DefaultSweepEvery is how often the worker deletes expired archives
	// and retries what failed to be deleted.
	DefaultSweepEvery = 5 * time.Minute
	// DefaultLease is how long an instance's claim on an export it builds
	// lasts unless renewed; it is renewed every third of it while the
	// build goes on, and another instance takes the export over only once
	// it has ended.
	DefaultLease = 2 * time.Minute
)

// Audit events of the data export.
const (
	EventExportRequested  = "data_export_requested"
	EventExportDownloaded = "data_export_downloaded"
	EventExportOperator   = "data_export_by_operator"
)

// Files lists a workspace's files, reads their metadata and opens their
// bytes (files.Service).
type Files interface {
	List(ctx context.Context, f quire.FileFilter) ([]*quire.File, int, error)
	Find(ctx context.Context, workspaceID, id string) (*quire.File, error)
	Open(ctx context.Context, ws, id string) (*quire.File, io.ReadCloser, error)
}

// AccountStore is what an export reads of the account store
// (quire.AuthStore): sessions, API keys and security events.
type AccountStore interface {
	FindSessionsByUser(ctx context.Context, userID string) ([]*quire.Session, error)
	FindAPIKeysByUser(ctx context.Context, userID string) ([]*quire.APIKey, error)
	FindAudit(ctx context.Context, userID string, limit int) ([]*quire.AuditEvent, error)
	AppendAudit(ctx context.Context, e *quire.AuditEvent) error
}

// Config wires a Service. Files, Shares, Privacy, Now and Logger may be
// nil; so may Archives for a Service that only writes archives to a
// caller's writer (the operator's command).
type Config struct {
	Exports    quire.ExportService
	Users      quire.UserService
	Workspaces quire.WorkspaceService
	Folders    quire.FolderService
	Notes      quire.NoteService
	Ideas      quire.IdeaService
	Chats      quire.ChatService
	Accounts   AccountStore
	Files      Files
	Shares     quire.ShareService
	Privacy    quire.PrivacyService
	// Archives keeps the ready archives, encrypted.
	Archives *Archives
	// TTL is how long a ready archive may be downloaded (default
	// DefaultTTL); PerDay how many exports a user may start in 24 hours
	// (default DefaultPerDay).
	TTL    time.Duration
	PerDay int
	// SweepEvery is how often Run deletes expired archives (default
	// DefaultSweepEvery).
	SweepEvery time.Duration
	// Worker names this instance in the leases of the exports it builds
	// (default: a new random ID); Lease is how long a lease lasts unless
	// renewed (default DefaultLease).
	Worker string
	Lease  time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Service starts exports, builds their archives in the background (Run)
// and serves them once. It is safe for concurrent use.
type Service struct {
	cfg  Config
	log  *slog.Logger
	wake chan struct{}
}

// New returns a Service over cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Exports == nil || cfg.Users == nil || cfg.Workspaces == nil || cfg.Folders == nil || cfg.Notes == nil ||
		cfg.Ideas == nil || cfg.Chats == nil || cfg.Accounts == nil {
		return nil, errors.New("export: Exports, Users, Workspaces, Folders, Notes, Ideas, Chats and Accounts are required")
	}
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.PerDay <= 0 {
		cfg.PerDay = DefaultPerDay
	}
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = DefaultSweepEvery
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Worker == "" {
		cfg.Worker = quire.NewID()
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	s := &Service{cfg: cfg, log: cfg.Logger, wake: make(chan struct{}, 1)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// TTL is how long a ready archive may be downloaded.
func (s *Service) TTL() time.Duration { return s.cfg.TTL }

// Encrypted reports whether the service keeps its archives in the
// encrypted archive store (a service without one cannot start exports).
func (s *Service) Encrypted() bool { return s.cfg.Archives != nil }

// now is the service's clock in UTC.
func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// Start queues an export of userID's data and wakes the worker. An export
// already queued or running is ECONFLICT; more than PerDay started in the
// last 24 hours is ERATELIMITED, with when to try again.
func (s *Service) Start(ctx context.Context, userID string) (*quire.Export, error) {
	if s.cfg.Archives == nil {
		return nil, quire.Errorf(quire.ENOTIMPLEMENTED, "Data exports are not available.")
	}
	list, err := s.cfg.Exports.FindExports(ctx, userID)
	if err != nil {
		return nil, err
	}
	if err := s.allowed(list); err != nil {
		return nil, err
	}
	e := &quire.Export{UserID: userID}
	if err := s.cfg.Exports.CreateExport(ctx, e); err != nil {
		return nil, err
	}
	s.audit(ctx, EventExportRequested, userID, e.ID)
	s.Wake()
	return e, nil
}

// allowed refuses a new export while one is active, or past the daily
// limit (list is the user's exports, newest first).
func (s *Service) allowed(list []*quire.Export) error {
	since := s.now().Add(-24 * time.Hour)
	recent := 0
	var oldest time.Time
	for _, e := range list {
		if e.Active() {
			return quire.Errorf(quire.ECONFLICT, "An export of your data is already being prepared. Wait for it to finish.")
		}
		if e.CreatedAt.After(since) {
			recent++
			oldest = e.CreatedAt
		}
	}
	if recent >= s.cfg.PerDay {
		err := quire.Errorf(quire.ERATELIMITED, "You can export your data %d times a day. Try again later.", s.cfg.PerDay)
		err.RetryAfter = max(oldest.Sub(since), time.Second)
		return err
	}
	return nil
}

// Exports lists the user's exports, newest first, each as it is now (a
// ready one past its expiry shows as expired).
func (s *Service) Exports(ctx context.Context, userID string) ([]*quire.Export, error) {
	list, err := s.cfg.Exports.FindExports(ctx, userID)
	for _, e := range list {
		s.seen(e)
	}
	return list, err
}

// Export returns one of the user's exports; another user's is ENOTFOUND.
func (s *Service) Export(ctx context.Context, userID, id string) (*quire.Export, error) {
	e, err := s.cfg.Exports.FindExport(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	s.seen(e)
	return e, nil
}

// seen shows a ready export past its expiry as expired, before the sweep
// gets to it.
func (s *Service) seen(e *quire.Export) {
	if e.State == quire.ExportReady && !s.now().Before(e.ExpiresAt) {
		e.State = quire.ExportExpired
	}
}

// audit records a security event; a failure is logged, never shown.
func (s *Service) audit(ctx context.Context, event, userID, exportID string) {
	var meta map[string]string
	if exportID != "" {
		meta = map[string]string{"export": exportID}
	}
	err := s.cfg.Accounts.AppendAudit(context.WithoutCancel(ctx), &quire.AuditEvent{Event: event, UserID: userID, Meta: meta})
	if err != nil {
		s.log.ErrorContext(ctx, "audit append failed", "event", event, "code", quire.ErrorCode(err))
	}
}
