package files

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/blob"
)

// Defaults of Config.
const (
	// DefaultMaxSize is the largest file accepted: 25 MiB.
	DefaultMaxSize = 25 << 20
	// DefaultGrace is how long a blob must have been seen without a row
	// before Sweep removes it: far longer than an upload takes between
	// storing its blob and writing its row.
	DefaultGrace = time.Hour
)

// Config configures a Service.
type Config struct {
	// Blobs stores the files' bytes; Backend is its backend, which Sweep
	// lists to find blobs without a row.
	Blobs   *blob.Store
	Backend blob.Backend
	// Files stores the files' metadata.
	Files quire.FileService
	// MaxSize is the largest file accepted, in bytes (default
	// DefaultMaxSize).
	MaxSize int64
	// Grace is how long Sweep leaves a blob without a row alone (default
	// DefaultGrace).
	Grace time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives the failures of clean-up steps that the caller does
	// not see (a blob that could not be deleted after its row was); nil
	// discards them. Entries carry IDs only.
	Logger *slog.Logger
}

// Service uploads, serves and deletes files. It is safe for concurrent
// use.
type Service struct {
	cfg Config

	mu      sync.Mutex
	orphans map[string]time.Time // blob key → when Sweep first saw it without a row
}

// New returns a Service for cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Blobs == nil || cfg.Backend == nil || cfg.Files == nil {
		return nil, quire.Errorf(quire.EINVALID, "The files service needs a blob store, its backend and a file store.")
	}
	if cfg.MaxSize < 0 || cfg.Grace < 0 {
		return nil, quire.Errorf(quire.EINVALID, "The maximum file size and the sweep grace period must not be negative.")
	}
	if cfg.MaxSize == 0 {
		cfg.MaxSize = DefaultMaxSize
	}
	if cfg.Grace == 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg, orphans: map[string]time.Time{}}, nil
}

// MaxSize returns the largest file accepted, in bytes.
func (s *Service) MaxSize() int64 { return s.cfg.MaxSize }

// Find returns a file's metadata.
func (s *Service) Find(ctx context.Context, workspaceID, id string) (*quire.File, error) {
	if !quire.ValidID(id) {
		return nil, quire.ErrFileNotFound()
	}
	return s.cfg.Files.FindFileByID(ctx, workspaceID, id)
}

// List returns the files f selects, newest first, and their total count.
func (s *Service) List(ctx context.Context, f quire.FileFilter) ([]*quire.File, int, error) {
	return s.cfg.Files.FindFiles(ctx, f)
}

// deleteBlob removes a blob whose row is gone or was never written. The
// caller's work is done by then, so a failure is only logged: the blob is
// unreadable garbage that Sweep removes.
func (s *Service) deleteBlob(ctx context.Context, ws, id string) {
	if err := s.cfg.Blobs.Delete(context.WithoutCancel(ctx), ws, id); err != nil {
		s.cfg.Logger.WarnContext(ctx, "files: blob left without a row; Sweep will remove it",
			"workspace_id", ws, "file_id", id, "error", err)
	}
}
