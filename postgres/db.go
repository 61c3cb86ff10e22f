package postgres

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultConnectTimeout bounds each connection attempt when the URL sets no
// connect_timeout, so that an unreachable database fails Open quickly.
const DefaultConnectTimeout = 5 * time.Second

// Config says how to reach PostgreSQL.
type Config struct {
	// URL is the connection string the services use (a URL or key=value
	// list, as libpq accepts). In production it names a dedicated role that
	// is neither a superuser nor the owner of the tables.
	URL string
	// OwnerURL, if set, is used to apply migrations: it connects as the
	// role that owns the tables. Migrations then grant the role of URL the
	// DML it needs.
	OwnerURL string
	// Production turns on the refusals of claims ISO-1 and TLS-2.
	Production bool
	// MaxConns caps the pool; zero takes pgx's default.
	MaxConns int32
}

// DB is an open PostgreSQL store. It is safe for concurrent use.
type DB struct {
	pool *pgxpool.Pool
	cfg  Config
}

// Open connects to PostgreSQL, applies pending migrations and, in
// production mode, refuses an unsafe role or transport. The error names the
// problem and its fix; it never contains a password.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	pcfg, err := poolConfig(cfg)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: database.url: %w", err)
	}
	db := &DB{pool: pool, cfg: cfg}
	if err := db.open(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) open(ctx context.Context) error {
	if err := db.Ping(ctx); err != nil {
		return err
	}
	if db.cfg.Production {
		if err := db.checkPrivileges(ctx); err != nil {
			return err
		}
	}
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if db.cfg.Production {
		return db.checkOwnership(ctx)
	}
	return nil
}

// poolConfig parses and checks cfg.
func poolConfig(cfg Config) (*pgxpool.Config, error) {
	if cfg.URL == "" {
		return nil, errors.New("postgres: database.url is empty: set it to the connection URL of the application role")
	}
	pcfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: database.url: %w", err)
	}
	if cfg.MaxConns < 0 {
		return nil, fmt.Errorf("postgres: max connections is %d: it must be positive, or 0 for the default", cfg.MaxConns)
	}
	if cfg.MaxConns > 0 {
		pcfg.MaxConns = cfg.MaxConns
	}
	if pcfg.MaxConns < 2 {
		// A service transaction and a key-store read may need a connection
		// each at the same time.
		pcfg.MaxConns = 2
	}
	hardenConnConfig(&pcfg.ConnConfig.Config)
	if cfg.Production {
		if err := checkTransport(&pcfg.ConnConfig.Config, "database.url"); err != nil {
			return nil, err
		}
		if cfg.OwnerURL != "" {
			if _, err := ownerConnConfig(cfg); err != nil {
				return nil, err
			}
		}
	}
	return pcfg, nil
}

// hardenConnConfig bounds connection attempts and sets TLS 1.2 as the floor.
func hardenConnConfig(c *pgconn.Config) {
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	setMinTLS(c.TLSConfig)
	for _, fb := range c.Fallbacks {
		setMinTLS(fb.TLSConfig)
	}
}

func setMinTLS(t *tls.Config) {
	if t != nil && t.MinVersion < tls.VersionTLS12 {
		t.MinVersion = tls.VersionTLS12
	}
}

// Close closes every connection of the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: cannot connect to the database (check database.url, and that the server runs and accepts connections): %w", err)
	}
	return nil
}
