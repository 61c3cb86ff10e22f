package http

import (
	"context"
	"crypto/tls"
	"log/slog"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/chat"
	"github.com/quirehq/quire/disclosure"
	"github.com/quirehq/quire/edge/bot"
	"github.com/quirehq/quire/edge/clientip"
	"github.com/quirehq/quire/edge/shield"
	"github.com/quirehq/quire/erase"
	"github.com/quirehq/quire/export"
	"github.com/quirehq/quire/files"
	"github.com/quirehq/quire/finder"
	"github.com/quirehq/quire/metrics"
	"github.com/quirehq/quire/sharing"
	"github.com/quirehq/quire/voice"
)

// Defaults for the zero values of Config.
const (
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
	DefaultMaxBodyBytes      = 1 << 20
)

// Config configures a Server. Zero durations and sizes take the defaults
// above.
type Config struct {
	// Addr is the HTTPS listen address, host:port; port 0 picks a free port.
	Addr string
	// HTTPAddr is the plain-HTTP listen address that only redirects to
	// HTTPS; "" means no plain-HTTP listener.
	HTTPAddr string
	// TLSConfig is the HTTPS listener's configuration (see
	// tlscert.ServerConfig); it must provide a certificate.
	TLSConfig *tls.Config
	// Logger receives request errors, panics and the servers' own errors;
	// nil discards them.
	Logger *slog.Logger
	// Ready is the readiness probe behind GET /readyz (a database ping, for
	// example); nil means always ready.
	Ready func(ctx context.Context) error

	// Timeouts and size limits, applied to both listeners.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxHeaderBytes    int
	// MaxBodyBytes caps request bodies unless a route sets its own cap with
	// BodyLimit.
	MaxBodyBytes int64

	// HSTSPreload adds "preload" to the Strict-Transport-Security header.
	// Only set it for a domain that is, or is to be, on the preload list.
	HSTSPreload bool
	// Auth is the account system; nil serves no accounts (and no routes
	// that need them).
	Auth *auth.Service
	// AuthBurst requests to the account routes per AuthWindow may come
	// from one address (defaults 60 per minute).
	AuthBurst  int
	AuthWindow time.Duration
	// Workspaces is the workspace store behind the workspace routes (the
	// caller's workspaces, each workspace's AI policy); they are served
	// only with Auth and Workspaces both set.
	Workspaces quire.WorkspaceService
	// Notes is the note store behind the notes routes, served with Auth
	// and Workspaces.
	Notes quire.NoteService
	// NoteLinks is the public note link store behind /api/v1/notes/{id}/link
	// and the public pages GET /s/{token}, served with Auth, Workspaces,
	// Notes and BlindIndex.
	NoteLinks quire.NoteLinkService
	// BlindIndex computes keyed blind indexes (barrier.Barrier.BlindIndex):
	// a note link's token is stored and looked up only by its index.
	BlindIndex auth.Indexer
	// Folders is the folder store behind the folder routes, served with
	// Auth and Workspaces; Ideas is the idea store behind the idea
	// routes, served with Auth, Workspaces and Folders.
	Folders quire.FolderService
	Ideas   quire.IdeaService
	// Sharing shares folders by invitation: the routes under
	// /api/v1/folders/{id}/shares, /api/v1/invitations and /api/v1/shared
	// and the page /invite, served with Auth, Workspaces, Notes and Ideas.
	Sharing *sharing.Service
	// Files is the attachment service behind the file routes, served with
	// Auth and Workspaces; with Notes too, deleting a note deletes its
	// files.
	Files *files.Service
	// Chats is the conversation store and Chat the service that answers
	// in conversations, behind the chat routes (served with Auth,
	// Workspaces and Notes, when both are set).
	Chats quire.ChatService
	Chat  *chat.Service
	// Search is search over the caller's workspace, behind
	// GET /api/v1/search (served with Auth and Workspaces).
	Search *finder.Service
	// Voice turns recordings into ideas, behind POST /api/v1/voice-notes.
	Voice *voice.Service
	// Erase deletes accounts (claim GDPR-3), behind DELETE /api/v1/me and
	// the account page's deletion form, served with Auth; nil serves
	// neither.
	Erase *erase.Service
	// Privacy is the users' privacy settings store (claim CCPA-1), behind
	// GET and PUT /api/v1/me/privacy, served with Auth; nil serves neither.
	Privacy quire.PrivacyService
	// Exports builds archives of the users' data (claim GDPR-1), behind
	// /api/v1/me/exports and the account page's export section, served
	// with Auth; nil serves neither.
	Exports *export.Service
	// Disclosure is vulnerability disclosure (claim VDP-1), behind
	// /.well-known/security.txt, the report form /security/report and
	// POST /api/v1/security/reports; served with or without Auth.
	Disclosure *disclosure.Service
	// OnAIPolicyChange, if not nil, is called with a workspace's ID after
	// its AI policy was changed, so that a cache of policies (the AI
	// gateway's) can drop it.
	OnAIPolicyChange func(workspaceID string)

	// ClientIP finds the client's address (trusted proxies); nil means the
	// connection's peer, whatever headers say.
	ClientIP *clientip.Resolver
	// MaxConnsPerIP caps one client address's open connections (default
	// 64); MaxInFlight caps the requests served at once (default 512),
	// beyond which the server answers 503 with Retry-After, health checks
	// excepted.
	MaxConnsPerIP int
	MaxInFlight   int
	// MaxInFlightPerClient caps one client address's requests served at
	// once (default MaxInFlight/8), so that one client cannot take every
	// slot; over it, that client gets 429 with Retry-After.
	MaxInFlightPerClient int
	// MaxConcurrentStreams caps the HTTP/2 streams of one connection
	// (default 100).
	MaxConcurrentStreams int

	// RateLimit are the request rate limits; nil means none (tests).
	RateLimit *RateLimits

	// Bots is bot detection and the per-route bot policy (claim BOT-1);
	// nil lets every client through.
	Bots *bot.Detector

	// Shield is the OWASP Core Rule Set in front of every route (claim
	// WAF-1); nil inspects nothing.
	Shield *shield.Shield

	// Metrics records the protections' decisions and request timings, and
	// is served at GET /metrics; nil means no metrics.
	Metrics *metrics.Registry
	// MetricsToken is the credential a scraper presents to read /metrics
	// ("Authorization: Bearer <token>"); without one, /metrics is not
	// served (the decisions are still counted).
	MetricsToken string

	// RedirectPort is the HTTPS port that redirects name, when clients reach
	// the HTTPS listener on another port than it binds (port mapping);
	// 0 means the listener's own port.
	RedirectPort int
}

// withDefaults returns c with its zero values replaced by the defaults.
func (c Config) withDefaults() Config {
	setDefault(&c.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	setDefault(&c.AuthBurst, 60)
	setDefault(&c.AuthWindow, time.Minute)
	setDefault(&c.MaxConnsPerIP, 64)
	setDefault(&c.MaxInFlight, 512)
	setDefault(&c.MaxInFlightPerClient, max(c.MaxInFlight/8, 1))
	setDefault(&c.MaxConcurrentStreams, 100)
	if c.ClientIP == nil {
		c.ClientIP, _ = clientip.New(clientip.Options{}) // no proxies: cannot fail
	}
	setDefault(&c.ReadTimeout, DefaultReadTimeout)
	setDefault(&c.WriteTimeout, DefaultWriteTimeout)
	setDefault(&c.IdleTimeout, DefaultIdleTimeout)
	setDefault(&c.MaxHeaderBytes, DefaultMaxHeaderBytes)
	setDefault(&c.MaxBodyBytes, DefaultMaxBodyBytes)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// setDefault sets *v to def when *v is the zero value.
func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// hstsValue is the Strict-Transport-Security header: one year, sub-domains
// included (claim TLS-1).
func (c Config) hstsValue() string {
	v := "max-age=31536000; includeSubDomains"
	if c.HSTSPreload {
		v += "; preload"
	}
	return v
}
