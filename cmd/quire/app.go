package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/config"
	"github.com/quirehq/quire/files"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/postgres"
	"github.com/quirehq/quire/sqlite"
)

// stores is one opened backend with its services, behind the same shape for
// SQLite and PostgreSQL.
type stores struct {
	backend    string
	keys       barrier.KeyStore
	ping       func(ctx context.Context) error
	close      func() error
	inspector  quire.StoreInspector
	rewrap     func(ctx context.Context, b *barrier.Barrier, progress func(done, total int)) error
	users      quire.UserService
	workspaces quire.WorkspaceService
	notes      quire.NoteService
	chats      quire.ChatService
	folders    quire.FolderService
	ideas      quire.IdeaService
	embeddings quire.EmbeddingService
	files      quire.FileService
	noteLinks  quire.NoteLinkService
	shares     quire.ShareService
	deletions  quire.AccountDeletionService
	auth       quire.AuthStore
	usage      quire.UsageService
	reports    quire.SecurityReportService
	privacy    quire.PrivacyService
	exports    quire.ExportService
	retention  quire.RetentionStore
	bind       func(b *barrier.Barrier) // creates the services once the barrier is open
}

// openStores opens (and migrates) the configured database.
func openStores(ctx context.Context, cfg *config.Config) (*stores, error) {
	switch cfg.Database.Driver {
	case "postgres":
		db, err := postgres.Open(ctx, postgres.Config{URL: cfg.Database.URL.Reveal(), OwnerURL: cfg.Database.OwnerURL.Reveal(),
			Production: cfg.Production(), MaxConns: int32(cfg.Database.MaxConns)})
		if err != nil {
			return nil, fmt.Errorf("database: %w", err)
		}
		s := &stores{backend: quire.BackendPostgres, keys: postgres.NewKeyStore(db), ping: db.Ping,
			close: db.Close, inspector: db, rewrap: db.Rewrap}
		s.bind = func(b *barrier.Barrier) {
			notes := postgres.NewNoteService(db, b)
			notes.SetVersionPolicy(versionPolicy(cfg))
			s.users, s.workspaces, s.notes = postgres.NewUserService(db, b), postgres.NewWorkspaceService(db, b), notes
			s.auth, s.usage = postgres.NewAuthService(db, b), postgres.NewUsageService(db, b)
			s.reports = postgres.NewSecurityReportService(db, b)
			s.chats = postgres.NewChatService(db, b)
			s.folders, s.ideas = postgres.NewFolderService(db, b), postgres.NewIdeaService(db, b)
			s.files, s.embeddings = postgres.NewFileService(db, b), postgres.NewEmbeddingService(db, b)
			s.noteLinks, s.shares = postgres.NewNoteLinkService(db), postgres.NewShareService(db, b)
			s.deletions = postgres.NewDeletionService(db)
			s.privacy = postgres.NewPrivacyService(db)
			s.exports = postgres.NewExportService(db)
			s.retention = postgres.NewRetentionService(db, b)
		}
		return s, nil
	default:
		db, err := sqlite.Open(ctx, cfg.Database.Path)
		if err != nil {
			return nil, fmt.Errorf("database: %w", err)
		}
		s := &stores{backend: quire.BackendSQLite, keys: sqlite.NewKeyStore(db), ping: db.Ping,
			close: db.Close, inspector: db, rewrap: db.Rewrap}
		s.bind = func(b *barrier.Barrier) {
			notes := sqlite.NewNoteService(db, b)
			notes.SetVersionPolicy(versionPolicy(cfg))
			s.users, s.workspaces, s.notes = sqlite.NewUserService(db, b), sqlite.NewWorkspaceService(db, b), notes
			s.auth, s.usage = sqlite.NewAuthService(db, b), sqlite.NewUsageService(db, b)
			s.reports = sqlite.NewSecurityReportService(db, b)
			s.chats = sqlite.NewChatService(db, b)
			s.folders, s.ideas = sqlite.NewFolderService(db, b), sqlite.NewIdeaService(db, b)
			s.files, s.embeddings = sqlite.NewFileService(db, b), sqlite.NewEmbeddingService(db, b)
			s.noteLinks, s.shares = sqlite.NewNoteLinkService(db), sqlite.NewShareService(db, b)
			s.deletions = sqlite.NewDeletionService(db)
			s.privacy = sqlite.NewPrivacyService(db)
			s.exports = sqlite.NewExportService(db)
			s.retention = sqlite.NewRetentionService(db, b)
		}
		return s, nil
	}
}

// versionPolicy is the configured note history policy.
func versionPolicy(cfg *config.Config) quire.VersionPolicy {
	v := cfg.Workspace.Versions
	keep := v.Keep
	if keep == 0 {
		keep = -1 // configured to keep none
	}
	return quire.VersionPolicy{Keep: keep, MaxAge: v.MaxAge}
}

// keyCacheTTL bounds how long any instance keeps using unwrapped keys after
// another rotated or shredded them; now is the clock, which tests move.
var (
	keyCacheTTL = time.Minute
	now         = time.Now
)

// app is what every command that touches data needs: configuration, the
// store and the unsealed barrier.
type app struct {
	cfg     *config.Config
	stores  *stores
	barrier *barrier.Barrier
	// files stores the workspaces' files.
	files *files.Service
	// auth is the account system, once a command has built it (newAuth).
	auth *auth.Service
	// stderr is the command's terminal, for what only a developer reads.
	stderr io.Writer
	// mail delivers email in the background, once newAuth has built it.
	mail *mail.Async
	// closers release what commands opened beside the store (a Redis
	// client), before the store closes.
	closers []func() error
	// pingRedis asks the rate limits' Redis for an answer, once
	// newRateLimits has connected to one (RL-1).
	pingRedis func(ctx context.Context) error
	// gateway is the AI gateway, once a command has built it.
	gateway *aiGateway
}

// openApp opens the store and unseals the barrier. On a new deployment it
// creates the root key file and warns loudly that it must be backed up.
func openApp(ctx context.Context, cfg *config.Config, stderr io.Writer) (*app, error) {
	if err := dataDir(cfg.DataDir); err != nil {
		return nil, err
	}
	st, err := openStores(ctx, cfg)
	if err != nil {
		return nil, err
	}
	src, err := rootKeySource(ctx, cfg, st.keys, stderr)
	if err != nil {
		st.close()
		return nil, err
	}
	b, err := barrier.Open(ctx, src, st.keys, barrier.Options{
		RotateAfter: cfg.Keys.RotateAfter, RotateAfterOps: cfg.Keys.RotateAfterOps, CacheTTL: keyCacheTTL, Now: now})
	if err != nil {
		st.close()
		return nil, fmt.Errorf("unseal: %w", err)
	}
	st.bind(b)
	a := &app{cfg: cfg, stores: st, barrier: b, stderr: stderr}
	if a.files, err = openFiles(cfg, a); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// dataDir creates the data directory with mode 0700, or checks that an
// existing one is closed to group and others. An existing directory is never
// chmod-ed: a mistaken --data pointing at a shared directory must not change
// it.
func dataDir(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(path, 0o700); err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
		return os.Chmod(path, 0o700) // MkdirAll's mode is filtered by the umask
	} else if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("data directory %s is not a directory", path)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("data directory %s is open to group or others (mode %v): run chmod 700 %s, or choose another directory", path, fi.Mode().Perm(), path)
	}
	return nil
}

// Close stops the background jobs and releases what commands opened
// beside the store (closers), then delivers the email still queued, then
// closes the database. The jobs stop first because they send email (the
// overdue report scan, the deletion runner): a message they queue as they
// stop must find the queue open.
func (a *app) Close() error {
	var errs []error
	for _, c := range slices.Backward(a.closers) { // last opened, first closed
		errs = append(errs, c())
	}
	if a.mail != nil {
		a.mail.Close()
	}
	return errors.Join(append(errs, a.stores.close())...)
}

// rootKeySource picks where the root key comes from, as the configuration
// resolved it: an environment variable (QUIRE_ROOT_KEY unless a file is
// configured) or the key file. The key file is
// created only when the store holds no keyring yet; a missing key for an
// existing store is an error, never a new key, which would orphan the data.
func rootKeySource(ctx context.Context, cfg *config.Config, ks barrier.KeyStore, stderr io.Writer) (barrier.RootKeySource, error) {
	if cfg.RootKey.Env != "" {
		return barrier.EnvSource{Var: cfg.RootKey.Env}, nil
	}
	src := barrier.FileSource{Path: cfg.RootKey.File}
	if _, err := os.Stat(src.Path); err == nil || !errors.Is(err, os.ErrNotExist) {
		return src, nil
	}
	existing, err := ks.LoadKeyring(ctx)
	if err != nil {
		return nil, fmt.Errorf("read keyring: %w", err)
	}
	if len(existing) > 0 {
		return nil, fmt.Errorf("root key file %s is missing but the database already holds encrypted data: restore the key from your backup (or set QUIRE_ROOT_KEY); a new key cannot read the existing data", src.Path)
	}
	if err := barrier.CreateRootKeyFile(src.Path); err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, `
************************************************************************
  NEW ROOT KEY CREATED: %s
  It encrypts everything Quire stores. Without it your data cannot be
  recovered by anyone. Back it up now, somewhere other than this disk
  (a password manager or a sealed envelope), and keep it secret.
************************************************************************

`, src.Path)
	return src, nil
}

// commonFlags registers the flags every data command takes.
func commonFlags(fs *flag.FlagSet) (configPath, dataDir *string) {
	configPath = fs.String("config", "", "configuration `file` (YAML)")
	dataDir = fs.String("data", "", "data `directory` (default ./quire-data, or $QUIRE_DATA_DIR)")
	return configPath, dataDir
}

// openConfigured loads the configuration named by the common flags and
// opens the app on it.
func openConfigured(ctx context.Context, configPath, dataDir string, stderr io.Writer) (*app, error) {
	cfg, err := loadConfig(configPath, dataDir)
	if err != nil {
		return nil, err
	}
	return openApp(ctx, cfg, stderr)
}

// openExisting is openConfigured for commands that inspect or change a
// deployment (trust, admin): on SQLite they refuse a data directory with
// no database rather than create a new, empty deployment (and root key)
// and report on that instead.
func openExisting(ctx context.Context, configPath, dataDir string, stderr io.Writer) (*app, error) {
	cfg, err := loadConfig(configPath, dataDir)
	if err != nil {
		return nil, err
	}
	if cfg.Database.Driver != config.DriverPostgres {
		if _, err := os.Stat(cfg.Database.Path); err != nil {
			return nil, fmt.Errorf("no Quire database at %s: give the server's --data (or --config)", cfg.Database.Path)
		}
	}
	return openApp(ctx, cfg, stderr)
}

// loadConfig reads the configuration and applies the data-directory flag.
func loadConfig(configPath, dataDir string) (*config.Config, error) {
	cfg, err := config.Load(configPath)
	if err != nil {
		return nil, err
	}
	if dataDir != "" {
		cfg.SetDataDir(dataDir)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}
