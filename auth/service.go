package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/mfa"
)

// Service is the account system. Build it with New; it is safe for
// concurrent use.
type Service struct {
	cfg        Config
	users      quire.UserService
	workspaces quire.WorkspaceService
	store      quire.AuthStore
	hasher     Hasher
	policy     Policy
	breach     BreachChecker
	mail       mail.Sender
	index      Indexer
	now        Clock
	linkBase   func() string
	logger     *slog.Logger
	passkeys   *mfa.Passkeys
	ceremony   *ceremonies
	strength   StrengthMeter
}

// Deps are what the service is built from. Passkeys may be nil (passkeys
// off); Logger nil means slog.Default(); Now nil means time.Now.
type Deps struct {
	Users      quire.UserService
	Workspaces quire.WorkspaceService
	Store      quire.AuthStore
	Hasher     Hasher
	Policy     Policy
	Breach     BreachChecker
	Mail       mail.Sender
	Index      Indexer
	Passkeys   *mfa.Passkeys
	Strength   StrengthMeter
	Now        Clock
	// LinkBase returns the public base URL of links in emails; nil means
	// Config.BaseURL.
	LinkBase func() string
	Logger   *slog.Logger
}

// New returns a Service with cfg (defaults filled in) over deps.
func New(cfg Config, d Deps) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	return &Service{cfg: cfg.withDefaults(), users: d.Users, workspaces: d.Workspaces, store: d.Store, hasher: d.Hasher,
		policy: d.Policy, breach: d.Breach, mail: d.Mail, index: d.Index, now: d.Now,
		logger: d.Logger, passkeys: d.Passkeys, strength: d.Strength, ceremony: newCeremonies(), linkBase: d.LinkBase}, nil
}

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

// newSecret returns a 256-bit random secret, base64url without padding.
func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// hashToken is the stored form of a session or one-time token: SHA-256 is
// enough for 256-bit random secrets, which cannot be guessed offline.
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// audit appends a security event. A failure to record is logged and
// returned: callers on the sign-in path fail closed on it.
func (s *Service) audit(ctx context.Context, event, userID string, meta map[string]string) error {
	err := s.store.AppendAudit(ctx, &quire.AuditEvent{Event: event, UserID: userID, Meta: meta})
	if err != nil {
		s.logger.ErrorContext(ctx, "audit append failed", "event", event, "err", err)
	}
	return err
}

// AIPolicyChanged records that userID changed a workspace's AI policy:
// the workspace, and whether it now opts out of zero data retention
// (claim AI-2). An error means the change is not on record.
func (s *Service) AIPolicyChanged(ctx context.Context, userID, workspaceID string, allowNonZDR bool) error {
	return s.audit(ctx, EventAIPolicyChanged, userID, map[string]string{
		"workspace": workspaceID, "allow_non_zdr": strconv.FormatBool(allowNonZDR)})
}

// send emails the user in the background of the request: a mail failure
// is logged, never shown, and never blocks sign-in.
func (s *Service) send(ctx context.Context, m mail.Message) {
	if s.mail == nil {
		return
	}
	if err := s.mail.Send(context.WithoutCancel(ctx), m); err != nil {
		s.logger.ErrorContext(ctx, "email not sent", "kind", m.Kind, "err", err)
	}
}

// link returns an absolute link to path with a token.
func (s *Service) link(path, token string) string {
	base := s.cfg.BaseURL
	if s.linkBase != nil {
		base = s.linkBase()
	}
	return strings.TrimRight(base, "/") + path + "?token=" + token
}

// maxStrengthInput bounds what the strength meter sees: zxcvbn's cost grows
// faster than linearly with length.
const maxStrengthInput = 256

// Strength rates a candidate password, or returns a zero Strength when no
// meter is configured.
func (s *Service) Strength(pw string, userInputs []string) Strength {
	if s.strength == nil {
		return Strength{}
	}
	return s.strength(truncate(pw, maxStrengthInput), userInputs)
}

// notifyChange emails the user that a way into the account was added or
// changed, so that someone else's doing does not go unnoticed.
func (s *Service) notifyChange(ctx context.Context, userID, change string) {
	u, err := s.users.FindUserByID(ctx, userID)
	if err != nil {
		s.logger.ErrorContext(ctx, "security notice not sent", "err", err)
		return
	}
	s.send(ctx, mail.SecurityChange(u.Email, s.now(), change))
}
