package http_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/breach"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/password"
	"github.com/quirehq/quire/postgres"
	"github.com/quirehq/quire/postgres/pgtest"
	"github.com/quirehq/quire/sqlite"
)

// notesEngines open the benchmark's servers on each database; the
// PostgreSQL one skips without QUIRE_TEST_POSTGRES_URL.
var notesEngines = []struct {
	name string
	open func(testing.TB) *notesBench
}{{"sqlite", sqliteNotesBench}, {"postgres", postgresNotesBench}}

// BenchmarkNotesHTTP measures note create, read and update through the
// whole HTTP stack with a session, on SQLite and on PostgreSQL, against the
// same handlers over a plaintext baseline store (plainNotes). Each
// iteration sends one request to each side; see paired for the metrics.
// ns/op counts both requests and the client's own work.
func BenchmarkNotesHTTP(b *testing.B) {
	for _, engine := range notesEngines {
		b.Run(engine.name, func(b *testing.B) {
			e := engine.open(b)
			b.Run("create", e.benchCreate)
			b.Run("read", e.benchRead)
			b.Run("update", e.benchUpdate)
		})
	}
}

// TestNotesBaseline checks that the benchmark's baseline serves the notes
// API as the encrypted store does (conditional update, conflict, missing
// folder, list, delete), so that both sides of BenchmarkNotesHTTP do the
// same work.
func TestNotesBaseline(t *testing.T) {
	for _, engine := range notesEngines {
		t.Run(engine.name, func(t *testing.T) {
			e := engine.open(t)
			patch := benchJSON(map[string]any{"title": "Plan B", "isPinned": true})
			for _, s := range e.sides {
				path := "/api/v1/notes/" + s.ids[0]
				e.do(t, s, http.MethodPatch, path, patch, `"1"`, http.StatusOK)
				e.do(t, s, http.MethodPatch, path, patch, `"1"`, http.StatusConflict)
				e.do(t, s, http.MethodPatch, path, benchJSON(map[string]string{"folderId": quire.NewID()}), "", http.StatusUnprocessableEntity)
				var n struct {
					Title, Content string
					Version        int
					IsPinned       bool
				}
				_ = json.Unmarshal(e.do(t, s, http.MethodGet, path, nil, "", http.StatusOK).Body.Bytes(), &n)
				if n.Title != "Plan B" || n.Content != benchMarkdown[0] || n.Version != 2 || !n.IsPinned {
					t.Errorf("%s: after the update the note is at version %d, pinned %t", s.name, n.Version, n.IsPinned)
				}
				var list struct {
					Notes []struct{ NoteID string }
					Total int
				}
				_ = json.Unmarshal(e.do(t, s, http.MethodGet, "/api/v1/notes?limit=3", nil, "", http.StatusOK).Body.Bytes(), &list)
				if list.Total != benchNotes || len(list.Notes) != 3 || list.Notes[0].NoteID != s.ids[0] {
					t.Errorf("%s: list has %d of %d notes, want 3 of %d with the pinned one first", s.name, len(list.Notes), list.Total, benchNotes)
				}
				e.do(t, s, http.MethodDelete, path, nil, "", http.StatusNoContent)
				e.do(t, s, http.MethodGet, path, nil, "", http.StatusNotFound)
			}
		})
	}
}

// benchNotes is how many notes each side reads and updates in turn.
const benchNotes = 16

// benchTitle is the title of every benchmark note.
const benchTitle = "Quarterly planning"

// benchMarkdown are two ~2 KB markdown bodies that differ in their
// checklists: a note at version v has benchMarkdown[(v-1)%2].
var benchMarkdown = [2]string{markdownNote("[ ]"), markdownNote("[x]")}

func markdownNote(box string) string {
	var sb strings.Builder
	sb.WriteString("# Quarterly planning\n\n")
	for i := range 10 {
		fmt.Fprintf(&sb, "## Topic %d\n\nWe agreed to **ship the editor** before the review and to keep the _sync_ work "+
			"for later; see [the plan](https://example.com/plan).\n\n- %s draft the outline\n- %s ask for a review\n\n", i+1, box, box)
	}
	sb.WriteString("```go\nfmt.Println(\"done\")\n```\n")
	return sb.String()
}

func benchJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// benchSide is one note store behind its own server: the notes it reads
// and updates, their versions, and the total time of its timed requests.
type benchSide struct {
	name     string
	srv      http.Handler
	ids      []string
	versions []int
	took     time.Duration
}

// median returns the median of x, sorting it.
func median(x []float64) float64 {
	slices.Sort(x)
	return x[len(x)/2]
}

// notesBench is a signed-in user's session and two servers with the same
// handlers, auth and workspaces, over the encrypted store and the baseline.
type notesBench struct {
	sides  [2]*benchSide // encrypted, plaintext
	cookie string
}

// newNotesBench signs a user up on the encrypted side, opens the baseline
// for the user's workspace with plain, and creates benchNotes notes on
// each side.
func newNotesBench(tb testing.TB, svc *auth.Service, ws quire.WorkspaceService, enc quire.NoteService,
	plain func(workspaceID string) quire.NoteService) *notesBench {
	tb.Helper()
	serve := func(notes quire.NoteService) *quirehttp.Server {
		return quirehttp.NewServer(quirehttp.Config{Auth: svc, AuthBurst: 1000, Workspaces: ws, Notes: notes})
	}
	e := &notesBench{sides: [2]*benchSide{{name: "encrypted", srv: serve(enc)}}}
	const email = "bench@example.com"
	rec := e.do(tb, e.sides[0], http.MethodPost, "/api/v1/auth/signup", benchJSON(creds(email, apiPassword)), "", http.StatusCreated)
	for _, c := range rec.Result().Cookies() {
		if c.Name == quirehttp.SessionCookie {
			e.cookie = c.Value
		}
	}
	if err := svc.ConfirmAddress(context.Background(), email); err != nil || e.cookie == "" {
		tb.Fatalf("sign-up gave no session (%v)", err)
	}
	var list struct {
		Workspaces []struct{ ID string } `json:"workspaces"`
	}
	rec = e.do(tb, e.sides[0], http.MethodGet, "/api/v1/workspaces", nil, "", http.StatusOK)
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Workspaces) != 1 {
		tb.Fatalf("workspaces = %s (%v), want the personal one", rec.Body, err)
	}
	e.sides[1] = &benchSide{name: "plaintext", srv: serve(plain(list.Workspaces[0].ID))}
	body := benchJSON(map[string]string{"title": benchTitle, "content": benchMarkdown[0]})
	for _, s := range e.sides {
		for range benchNotes {
			var out struct{ NoteID string }
			_ = json.Unmarshal(e.do(tb, s, http.MethodPost, "/api/v1/notes", body, "", http.StatusCreated).Body.Bytes(), &out)
			s.ids, s.versions = append(s.ids, out.NoteID), append(s.versions, 1)
		}
	}
	return e
}

// request is a same-origin API call with the session cookie.
func (e *notesBench) request(method, path string, body []byte, ifMatch string) *http.Request {
	req := httptest.NewRequest(method, "https://quire.test"+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if e.cookie != "" {
		req.AddCookie(&http.Cookie{Name: quirehttp.SessionCookie, Value: e.cookie})
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	return req
}

// do sends an untimed request to s and fails unless it answers want.
func (e *notesBench) do(tb testing.TB, s *benchSide, method, path string, body []byte, ifMatch string, want int) *httptest.ResponseRecorder {
	tb.Helper()
	rec := httptest.NewRecorder()
	s.srv.ServeHTTP(rec, e.request(method, path, body, ifMatch))
	if rec.Code != want {
		tb.Fatalf("%s: %s %s answered %d, want %d: %.300s", s.name, method, path, rec.Code, want, rec.Body)
	}
	return rec
}

// benchStep is one side's request of iteration i and the check of its answer.
type benchStep func(s *benchSide, i int) (*http.Request, func(*httptest.ResponseRecorder) error)

// paired runs st on both sides in every iteration, the encrypted side
// first in even iterations and second in odd ones. Only ServeHTTP is
// timed. It reports each side's requests per second over its total time,
// the ratio of the totals ("enc/plain", as storetest.Paired), and a ratio
// robust to the shared machine ("med-enc/plain"): the geometric mean of
// the median per-iteration ratio with the encrypted side first and with it
// second. On a busy machine a few requests stalled by other processes
// weigh on the totals of one side, and the second request of a pair is
// often slower than the first (a commit right after a commit).
func (e *notesBench) paired(b *testing.B, st benchStep) {
	for _, s := range e.sides {
		s.took = 0
	}
	var ratios [2][]float64 // by which side went first
	i := 0
	for b.Loop() {
		var took [2]time.Duration
		for k := range 2 {
			side := (i + k) % 2
			s := e.sides[side]
			req, check := st(s, i)
			rec := httptest.NewRecorder()
			t0 := time.Now()
			s.srv.ServeHTTP(rec, req)
			took[side] = time.Since(t0)
			s.took += took[side]
			if err := check(rec); err != nil {
				b.Fatalf("%s: %v", s.name, err)
			}
		}
		ratios[i%2] = append(ratios[i%2], float64(took[0])/float64(took[1]))
		i++
	}
	enc, plain := e.sides[0].took, e.sides[1].took
	robust := median(ratios[0])
	if len(ratios[1]) > 0 {
		robust = math.Sqrt(robust * median(ratios[1]))
	}
	b.ReportMetric(float64(enc)/float64(plain), "enc/plain")
	b.ReportMetric(robust, "med-enc/plain")
	b.ReportMetric(float64(i)/enc.Seconds(), "enc-ops/s")
	b.ReportMetric(float64(i)/plain.Seconds(), "plain-ops/s")
}

// benchStatus checks the answer's status and, if etag is not "", its ETag.
func benchStatus(want int, etag string) func(*httptest.ResponseRecorder) error {
	return func(rec *httptest.ResponseRecorder) error {
		if rec.Code != want || (etag != "" && rec.Header().Get("ETag") != etag) {
			return fmt.Errorf("answered %d (ETag %s), want %d (ETag %s)", rec.Code, rec.Header().Get("ETag"), want, etag)
		}
		return nil
	}
}

// benchCreate: POST /api/v1/notes with a ~2 KB body.
func (e *notesBench) benchCreate(b *testing.B) {
	body := benchJSON(map[string]string{"title": benchTitle, "content": benchMarkdown[0]})
	e.paired(b, func(*benchSide, int) (*http.Request, func(*httptest.ResponseRecorder) error) {
		return e.request(http.MethodPost, "/api/v1/notes", body, ""), benchStatus(http.StatusCreated, `"1"`)
	})
}

// benchRead: GET /api/v1/notes/{id}, checking the content read back.
func (e *notesBench) benchRead(b *testing.B) {
	e.paired(b, func(s *benchSide, i int) (*http.Request, func(*httptest.ResponseRecorder) error) {
		j := i % benchNotes
		v := s.versions[j]
		return e.request(http.MethodGet, "/api/v1/notes/"+s.ids[j], nil, ""), func(rec *httptest.ResponseRecorder) error {
			var n struct{ Content string }
			if err := benchStatus(http.StatusOK, fmt.Sprintf(`"%d"`, v))(rec); err != nil {
				return err
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &n); err != nil || n.Content != benchMarkdown[(v-1)%2] {
				return errors.New("read back other content than was written")
			}
			return nil
		}
	})
}

// benchUpdate: PATCH /api/v1/notes/{id} with If-Match, changing the content.
func (e *notesBench) benchUpdate(b *testing.B) {
	bodies := [2][]byte{benchJSON(map[string]string{"content": benchMarkdown[0]}), benchJSON(map[string]string{"content": benchMarkdown[1]})}
	e.paired(b, func(s *benchSide, i int) (*http.Request, func(*httptest.ResponseRecorder) error) {
		j := i % benchNotes
		v := s.versions[j]
		s.versions[j]++
		req := e.request(http.MethodPatch, "/api/v1/notes/"+s.ids[j], bodies[v%2], fmt.Sprintf(`"%d"`, v))
		return req, benchStatus(http.StatusOK, fmt.Sprintf(`"%d"`, v+1))
	})
}

func benchBarrier(tb testing.TB, ks barrier.KeyStore) *barrier.Barrier {
	tb.Helper()
	key := make([]byte, barrier.RootKeySize)
	_, _ = rand.Read(key)
	b, err := barrier.Open(context.Background(), barrier.StaticSource(key), ks, barrier.Options{})
	if err != nil {
		tb.Fatalf("open barrier: %v", err)
	}
	return b
}

// sqliteNotesBench is the server of the notes API tests (newNotesAPI) and
// the baseline on a SQLite file of its own.
func sqliteNotesBench(tb testing.TB) *notesBench {
	dir := tb.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "quire.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	br := benchBarrier(tb, sqlite.NewKeyStore(db))
	svc, _ := authtest.OnStore(tb, db, br, dir, authtest.Options{})
	return newNotesBench(tb, svc, sqlite.NewWorkspaceService(db, br), sqlite.NewNoteService(db, br),
		func(ws string) quire.NoteService { return openPlainSQLite(tb, ws) })
}

// postgresNotesBench is the same on a pgtest database, every store on
// PostgreSQL as the application role; it skips without
// QUIRE_TEST_POSTGRES_URL.
func postgresNotesBench(tb testing.TB) *notesBench {
	env := pgtest.New(tb)
	const maxConns = 8 // as the postgres package's tests open it
	db, err := postgres.Open(context.Background(), postgres.Config{URL: env.AppURL, OwnerURL: env.OwnerURL, Production: true, MaxConns: maxConns})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	br := benchBarrier(tb, postgres.NewKeyStore(db))
	return newNotesBench(tb, postgresAuth(tb, db, br), postgres.NewWorkspaceService(db, br), postgres.NewNoteService(db, br),
		func(string) quire.NoteService { return openPlainPG(tb, env, maxConns) })
}

// postgresAuth is authtest.OnStore on PostgreSQL, without passkeys.
func postgresAuth(tb testing.TB, db *postgres.DB, br *barrier.Barrier) *auth.Service {
	tb.Helper()
	hasher, errH := password.New(password.Options{Params: authtest.FastParams()})
	checker, errB := breach.New(breach.Options{DisableRange: true})
	logger := slog.New(slog.DiscardHandler)
	svc, err := auth.New(auth.Config{BaseURL: authtest.BaseURL}, auth.Deps{
		Users: postgres.NewUserService(db, br), Workspaces: postgres.NewWorkspaceService(db, br), Store: postgres.NewAuthService(db, br),
		Hasher: hasher, Policy: password.Policy{}, Breach: checker, Mail: &mail.Outbox{Dir: filepath.Join(tb.TempDir(), "outbox"), Logger: logger},
		Index: br.BlindIndex, Strength: authtest.Strength, Logger: logger,
	})
	if err := errors.Join(errH, errB, err); err != nil {
		tb.Fatalf("auth service: %v", err)
	}
	return svc
}
