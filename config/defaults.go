package config

import (
	"os"
	"path/filepath"
	"time"

	"github.com/quirehq/quire/edge/bot"
)

// Environment variables that supply defaults.
const (
	// EnvDataDir, when set, is the default data directory.
	EnvDataDir = "QUIRE_DATA_DIR"
	// EnvRootKey, when set and no root_key is configured, holds the root key.
	EnvRootKey = "QUIRE_ROOT_KEY"
)

// Default values that do not depend on the data directory.
const (
	DefaultDataDir              = "./quire-data"
	DefaultAddr                 = "127.0.0.1:8443"
	DefaultHTTPAddr             = "127.0.0.1:8080"
	DefaultReadHeaderTimeout    = 10 * time.Second
	DefaultReadTimeout          = 30 * time.Second
	DefaultWriteTimeout         = 60 * time.Second
	DefaultIdleTimeout          = 120 * time.Second
	DefaultMaxHeaderBytes       = 64 << 10
	DefaultMaxConnsPerIP        = 64
	DefaultMaxInFlight          = 512
	DefaultMaxInFlightPerClient = 64
	DefaultPostgresMaxConns     = 10
	DefaultRotateAfter          = 720 * time.Hour
	DefaultRotateAfterOps       = 1 << 28
	DefaultLogRetention         = 168 * time.Hour
	DefaultLogLevel             = "info"
)

// File names under the data directory.
const (
	rootKeyName  = "root.key"
	databaseName = "quire.db"
	logsName     = "logs"
)

type lookupFunc func(string) (string, bool)

// Default returns the configuration used when there is no file: development
// mode, SQLite and a root key file in the data directory.
func Default() *Config { return defaults(os.LookupEnv) }

func defaults(lookup lookupFunc) *Config {
	c := base(lookup)
	c.finish(lookup)
	return c
}

// base returns the defaults that a file overrides key by key. Paths derived
// from the data directory are left empty: they are filled by finish, after
// the file has had its say about data_dir.
func base(lookup lookupFunc) *Config {
	dataDir := DefaultDataDir
	if v, ok := lookup(EnvDataDir); ok && v != "" {
		dataDir = v
	}
	return &Config{
		Mode:    ModeDevelopment,
		DataDir: dataDir,
		Server: Server{
			Addr:                 DefaultAddr,
			HTTPAddr:             DefaultHTTPAddr,
			ReadHeaderTimeout:    DefaultReadHeaderTimeout,
			ReadTimeout:          DefaultReadTimeout,
			WriteTimeout:         DefaultWriteTimeout,
			IdleTimeout:          DefaultIdleTimeout,
			MaxHeaderBytes:       DefaultMaxHeaderBytes,
			MaxConnsPerIP:        DefaultMaxConnsPerIP,
			MaxInFlight:          DefaultMaxInFlight,
			MaxInFlightPerClient: DefaultMaxInFlightPerClient,
		},
		Database:  Database{Driver: DriverSQLite},
		Keys:      Keys{RotateAfter: DefaultRotateAfter, RotateAfterOps: DefaultRotateAfterOps},
		Logs:      Logs{Retention: DefaultLogRetention, Level: DefaultLogLevel},
		Auth:      baseAuth(),
		Mail:      baseMail(),
		RateLimit: baseRateLimit(),
		Metrics:   Metrics{Enabled: true},
		Workspace: Workspace{Versions: Versions{Keep: DefaultKeepVersions}, Chat: Chat{ContextTokens: 3000},
			Search: Search{CacheMB: 256}, Files: Files{Storage: StorageLocal, MaxSizeMB: DefaultMaxFileMB},
			Sharing: Sharing{InviteTTL: DefaultInviteTTL}},
		Bots:       bot.DefaultConfig(),
		Shield:     baseShield(),
		Disclosure: baseDisclosure(),
		Exports:    baseExports(),
		Retention:  baseRetention(),
	}
}

// finish fills the defaults that depend on other keys.
func (c *Config) finish(lookup lookupFunc) {
	if c.RootKey.File == "" && c.RootKey.Env == "" {
		if v, ok := lookup(EnvRootKey); ok && v != "" {
			c.RootKey.Env = EnvRootKey
		} else {
			c.RootKey.File = filepath.Join(c.DataDir, rootKeyName)
			c.derived.rootKey = true
		}
	}
	if c.Database.Driver == DriverSQLite && c.Database.Path == "" {
		c.Database.Path = filepath.Join(c.DataDir, databaseName)
		c.derived.database = true
	}
	if c.Database.Driver == DriverPostgres && c.Database.MaxConns == 0 {
		c.Database.MaxConns = DefaultPostgresMaxConns
	}
	if c.Logs.Dir == "" {
		c.Logs.Dir = filepath.Join(c.DataDir, logsName)
		c.derived.logs = true
	}
	if len(c.Server.TrustedProxies) == 0 {
		c.Server.TrustedProxies = nil // `trusted_proxies: []` and none at all are the same
	}
	c.Auth.finishAuth()
	c.Mail.finishMail()
}

// SetDataDir changes the data directory (the --data flag) and moves with it
// the paths that were defaulted from it; paths set explicitly stay put.
func (c *Config) SetDataDir(dir string) {
	c.DataDir = dir
	if c.derived.rootKey {
		c.RootKey.File = filepath.Join(dir, rootKeyName)
	}
	if c.derived.database {
		c.Database.Path = filepath.Join(dir, databaseName)
	}
	if c.derived.logs {
		c.Logs.Dir = filepath.Join(dir, logsName)
	}
}
