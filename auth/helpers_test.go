package auth_test

import (
	"context"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/password"
	"github.com/quirehq/quire/sqlite"
)

// clock is a test clock the service reads; tests move it forward.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// sentMail is one email the service asked to send.
type sentMail struct {
	to, kind string
	data     map[string]string
}

// mailbox records emails instead of sending them.
type mailbox struct {
	mu   sync.Mutex
	sent []sentMail
}

func (m *mailbox) Send(_ context.Context, msg mail.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, sentMail{msg.To, msg.Kind, msg.Data})
	return nil
}

// last returns the newest email of kind, or fails the test.
func (m *mailbox) last(t *testing.T, kind string) sentMail {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.sent) - 1; i >= 0; i-- {
		if m.sent[i].kind == kind {
			return m.sent[i]
		}
	}
	t.Fatalf("no %s email was sent", kind)
	return sentMail{}
}

func (m *mailbox) count(kind string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, s := range m.sent {
		if s.kind == kind {
			n++
		}
	}
	return n
}

// breachList is a breach checker over a fixed set, standing in for the
// range API; tests add to it to simulate a new breach.
type breachList struct {
	mu  sync.Mutex
	set map[string]bool
}

func (b *breachList) Check(_ context.Context, pw string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.set[pw], nil
}

func (b *breachList) add(pw string) { b.mu.Lock(); b.set[pw] = true; b.mu.Unlock() }

// countingHasher counts the password checks that reach the hasher.
type countingHasher struct {
	auth.Hasher
	checks atomic.Int64
}

func (c *countingHasher) Verify(ctx context.Context, enc, pw string) (bool, bool, error) {
	c.checks.Add(1)
	return c.Hasher.Verify(ctx, enc, pw)
}

func (c *countingHasher) DummyVerify(ctx context.Context, pw string) error {
	c.checks.Add(1)
	return c.Hasher.DummyVerify(ctx, pw)
}

// env is a service over a real SQLite store with its collaborators.
type env struct {
	svc    *auth.Service
	clock  *clock
	mail   *mailbox
	breach *breachList
	hasher *countingHasher
	store  quire.AuthStore
	users  quire.UserService
	b      *barrier.Barrier
}

// testParams keep Argon2id cheap in tests; production uses RFC 9106's.
var testParams = password.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newEnv(t *testing.T, cfg auth.Config) *env { return newEnvTB(t, cfg) }

// newEnvTB is newEnv for tests and benchmarks.
func newEnvTB(t testing.TB, cfg auth.Config) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "quire.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	root := make([]byte, 32)
	for i := range root {
		root[i] = byte(i + 1)
	}
	b, err := barrier.Open(ctx, barrier.StaticSource(root), sqlite.NewKeyStore(db), barrier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := password.New(password.Options{Params: testParams})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{clock: &clock{t: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}, mail: &mailbox{},
		breach: &breachList{set: map[string]bool{"password1": true}}, hasher: &countingHasher{Hasher: h},
		store: sqlite.NewAuthService(db, b), users: sqlite.NewUserService(db, b), b: b}
	e.svc, err = auth.New(cfg, auth.Deps{Users: e.users, Workspaces: sqlite.NewWorkspaceService(db, b),
		Store: e.store, Hasher: e.hasher, Policy: password.Policy{}, Breach: e.breach, Mail: e.mail,
		Index: b.BlindIndex, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// signUp creates an account and returns its user and first login.
func (e *env) signUp(t *testing.T, email, pw string) (*quire.User, *auth.Login) {
	t.Helper()
	u, l, err := e.svc.SignUp(context.Background(), email, pw, auth.Client{UserAgent: "test"})
	if err != nil {
		t.Fatalf("SignUp(%q): %v", email, err)
	}
	return u, l
}

// wantCode fails the test unless err carries code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := quire.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

var tokenInLink = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)

// tokenOf extracts the token from an emailed link.
func tokenOf(t *testing.T, m sentMail) string {
	t.Helper()
	sub := tokenInLink.FindStringSubmatch(m.data["link"])
	if sub == nil {
		t.Fatalf("no token in the %s link", m.kind)
	}
	return sub[1]
}

// verify confirms the user's address with the link of the newest
// verification email, as the user would.
func (e *env) verify(t *testing.T, u *quire.User) {
	t.Helper()
	if err := e.svc.VerifyEmail(context.Background(), tokenOf(t, e.mail.last(t, mail.KindVerifyEmail))); err != nil {
		t.Fatalf("verify %s: %v", u.ID, err)
	}
}
