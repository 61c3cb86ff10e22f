package config

import (
	"log/slog"
	"strings"
	"time"

	"github.com/quirehq/quire/edge/bot"
	"github.com/quirehq/quire/edge/shield"
)

// Modes.
const (
	ModeDevelopment = "development"
	ModeProduction  = "production"
)

// Database drivers.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Config is Quire's whole configuration. Parse and Default return it with
// every default filled in; cmd/quire applies flag overrides on top and calls
// Validate again.
type Config struct {
	Mode     string   `yaml:"mode"`     // development (default) | production
	DataDir  string   `yaml:"data_dir"` // default ./quire-data, or $QUIRE_DATA_DIR
	Server   Server   `yaml:"server"`
	TLS      TLS      `yaml:"tls"`
	RootKey  RootKey  `yaml:"root_key"`
	Database Database `yaml:"database"`
	Keys     Keys     `yaml:"keys"`
	Logs     Logs     `yaml:"logs"`
	AI       AI       `yaml:"ai"`
	Auth     Auth     `yaml:"auth"`
	Mail     Mail     `yaml:"mail"`
	// RateLimit is the request rate limiting (claim RL-1).
	RateLimit RateLimit `yaml:"ratelimit"`
	// Bots is bot detection and the per-route bot policy (claim BOT-1).
	Bots bot.Config `yaml:"bots"`
	// Shield is the OWASP Core Rule Set in front of every route (claim
	// WAF-1).
	Shield shield.Config `yaml:"shield"`
	// Metrics is the Prometheus endpoint, GET /metrics.
	Metrics Metrics `yaml:"metrics"`
	// Workspace configures notes and their history.
	Workspace Workspace `yaml:"workspace"`
	// Disclosure is vulnerability disclosure: security.txt and the report
	// intake (claim VDP-1).
	Disclosure Disclosure `yaml:"disclosure"`
	// Exports is the users' data exports (claim GDPR-1).
	Exports Exports `yaml:"exports"`
	// Retention is the retention janitor: how often it runs and how long
	// audit entries, usage records and expired invitations are kept.
	Retention Retention `yaml:"retention"`

	// derived records which paths were defaulted from DataDir, so that
	// SetDataDir can move them and leave explicit ones alone.
	derived derivedPaths
}

type derivedPaths struct{ rootKey, database, logs bool }

// Production reports whether the configuration is for production mode,
// where every outbound connection must use verified TLS and non-attested AI
// providers are refused.
func (c *Config) Production() bool { return c.Mode == ModeProduction }

// Server configures the HTTPS listener and the plain-HTTP redirect listener.
type Server struct {
	// Addr is the HTTPS listen address. Default 127.0.0.1:8443.
	Addr string `yaml:"addr"`
	// HTTPAddr is the listen address of the HTTP→HTTPS redirect. Default
	// 127.0.0.1:8080; an explicit "" turns the listener off.
	HTTPAddr string `yaml:"http_addr"`
	// PublicURL is the https:// URL users reach Quire at, used in links and
	// emails. Optional.
	PublicURL string `yaml:"public_url"`
	// HSTSPreload adds the preload directive to Strict-Transport-Security.
	HSTSPreload bool `yaml:"hsts_preload"`
	// Timeouts of http.Server (claim DOS-1).
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	ReadTimeout       time.Duration `yaml:"read_timeout"`
	WriteTimeout      time.Duration `yaml:"write_timeout"`
	IdleTimeout       time.Duration `yaml:"idle_timeout"`
	// MaxHeaderBytes caps request headers. Default 64 KiB.
	MaxHeaderBytes int `yaml:"max_header_bytes"`
	// TrustedProxies are the reverse proxies (CIDRs or addresses) whose
	// X-Forwarded-For (or ClientIPHeader) names the client. Empty: the
	// connection's peer is the client, and those headers are ignored.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// ClientIPHeader is a single-address header those proxies set instead
	// of X-Forwarded-For (X-Real-IP, CF-Connecting-IP); "" means
	// X-Forwarded-For.
	ClientIPHeader string `yaml:"client_ip_header"`
	// MaxConnsPerIP caps the open connections of one client address
	// (claim DOS-1). Default 64.
	MaxConnsPerIP int `yaml:"max_conns_per_ip"`
	// MaxInFlight caps the requests served at once; beyond it the server
	// answers 503 with Retry-After, health checks excepted. Default 512.
	MaxInFlight int `yaml:"max_in_flight"`
	// MaxInFlightPerClient caps the requests of one client address served
	// at once, so that one client cannot take every in-flight slot; beyond
	// it that client gets 429 with Retry-After. Default 64.
	MaxInFlightPerClient int `yaml:"max_in_flight_per_client"`
}

// TLS names a certificate and key in PEM files. Both empty means a
// self-signed development certificate; production requires both.
type TLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// RootKey says where the root key comes from: a file, or an environment
// variable holding it base64-encoded. Exactly one is set after defaults.
type RootKey struct {
	File string `yaml:"file"`
	Env  string `yaml:"env"`
}

// Database selects and configures the store.
type Database struct {
	// Driver is sqlite (default) or postgres.
	Driver string `yaml:"driver"`
	// Path is the SQLite database file. Default <data_dir>/quire.db.
	Path string `yaml:"path"`
	// URL is the PostgreSQL connection URL of the application role.
	URL Secret `yaml:"url"`
	// OwnerURL optionally connects as the role that owns the tables, used
	// only to apply migrations, so that the application role can be denied
	// ownership (claim ISO-1).
	OwnerURL Secret `yaml:"owner_url"`
	// MaxConns caps the PostgreSQL pool. Default 10.
	MaxConns int `yaml:"max_conns"`
}

// Keys configures barrier key rotation (claim ENC-2).
type Keys struct {
	// RotateAfter is the age after which a key stops encrypting. Default 720h.
	RotateAfter time.Duration `yaml:"rotate_after"`
	// RotateAfterOps is the number of encryptions after which a data key is
	// rotated. Default 2^28; at most 2^30, far below GCM's 2^32 bound.
	RotateAfterOps int64 `yaml:"rotate_after_ops"`
}

// Logs configures the rolling diagnostic log files (claim AI-5).
type Logs struct {
	// Dir holds the daily files. Default <data_dir>/logs.
	Dir string `yaml:"dir"`
	// Retention is how long a file is kept. Default 168h (7 days), at most
	// 720h (30 days).
	Retention time.Duration `yaml:"retention"`
	// Level is debug, info (default), warn or error.
	Level string `yaml:"level"`
}

// SlogLevel returns Level as a slog.Level; anything Validate rejects maps to
// slog.LevelInfo.
func (l Logs) SlogLevel() slog.Level {
	switch strings.ToLower(l.Level) {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// AI configures the model providers the gateway may route to, and how it
// routes, redacts and meters.
type AI struct {
	Providers []Provider `yaml:"providers"`
	// Aliases name ordered lists of "provider/model" targets: a request for
	// the alias tries them in order (fallback).
	Aliases map[string][]string `yaml:"aliases,omitempty"`
	// Strict refuses every provider without a zero-data-retention
	// agreement, even for a workspace that opted out (claim AI-2).
	Strict bool `yaml:"strict"`
	// Redaction replaces personal data and secrets in prompts with
	// placeholders before they leave (claim AI-4).
	Redaction Redaction `yaml:"redaction"`
	// Budgets cap each account's token use; zero is no cap.
	Budgets Budgets `yaml:"budgets"`
	// MaxBodyBytes caps a gateway request body (default 8 MiB; audio
	// uploads up to 25 MiB).
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// Prices are per-model prices for the usage records' cost estimate,
	// over the built-in list prices (keyed by model ID; a dated snapshot
	// such as gpt-4o-mini-2024-07-18 takes its family's price).
	Prices map[string]Price `yaml:"prices,omitempty"`
}

// Price is a model's price in US dollars per million tokens; a zero
// CachedInput means cached input costs as much as input.
type Price struct {
	Input       float64 `yaml:"input"`
	CachedInput float64 `yaml:"cached_input"`
	Output      float64 `yaml:"output"`
}

// Redaction configures prompt redaction.
type Redaction struct {
	// Enabled turns redaction on (the default).
	Enabled *bool `yaml:"enabled,omitempty"`
	// Kinds lists the entity kinds to redact (email, phone, card, iban,
	// national_id, ip, secret); empty is all of them.
	Kinds []string `yaml:"kinds,omitempty"`
}

// On reports whether redaction is enabled.
func (r Redaction) On() bool { return r.Enabled == nil || *r.Enabled }

// Budgets caps token use per account.
type Budgets struct {
	// TokensPerDay caps input plus output tokens per UTC day.
	TokensPerDay int `yaml:"tokens_per_day"`
	// TokensPerMinute caps the token rate.
	TokensPerMinute int `yaml:"tokens_per_minute"`
}
