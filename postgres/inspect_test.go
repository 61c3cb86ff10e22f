package postgres

import (
	"bytes"
	"context"
	"encoding/hex"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/postgres/pgtest"
)

// TestScanRawSees checks that ScanRaw, running as the application role,
// finds a needle wherever it is stored: as text, as bytes in a bytea column,
// and in a tenant row that row-level security hides from an unbound query.
func TestScanRawSees(t *testing.T) {
	env := newEnv(t)
	s := env.stores(t, newKey())
	tn := seedTenants(t, s)
	ctx := context.Background()
	plainInKey := pgtest.RandomName("plain_in_a_wrapped_key_")
	binary := append([]byte{0xff, 0x00}, pgtest.RandomName("binary_")...)
	mustNil(t, s.Keys.InsertDataKey(ctx, barrier.DataKey{Scope: barrier.WorkspaceScope(tn.b.ID), Version: 99, KEKVersion: 1,
		Wrapped: []byte(plainInKey), CreatedAt: time.Now()}))
	mustNil(t, s.Keys.InsertKeyringKey(ctx, barrier.KeyringKey{Version: 99, Kind: barrier.KindKEK, Wrapped: binary, CreatedAt: time.Now()}))
	cases := []struct {
		name   string
		needle []byte
		want   []string
	}{
		{"user ID", []byte(tn.aUser.ID), []string{"data_keys.scope", "memberships.user_id", "users.id", "workspaces.owner_id"}},
		{"note ID in B", []byte(tn.bNotes[1]), []string{"notes.id"}},
		{"text in a tenant's bytea", []byte(plainInKey), []string{"data_keys.wrapped"}},
		{"binary", binary, []string{"keyring.wrapped"}},
		{"workspace scope", []byte("ws:" + tn.b.ID), []string{"data_keys.scope"}},
		{"absent", []byte(pgtest.RandomName("absent_")), []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Inspector.ScanRaw(ctx, tc.needle)
			mustNil(t, err)
			if got == nil {
				got = []string{}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("ScanRaw = %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := s.Inspector.ScanRaw(ctx, nil); err == nil {
		t.Fatal("ScanRaw accepted an empty needle")
	}
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// pgDump returns the path of pg_dump, or skips.
func pgDump(t *testing.T) string {
	if p, err := exec.LookPath("pg_dump"); err == nil {
		return p
	}
	if ms, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump"); len(ms) > 0 {
		slices.Sort(ms)
		return ms[len(ms)-1]
	}
	t.Skip("postgres: pg_dump is not on PATH; install the PostgreSQL client to run the dump canary")
	return ""
}

// TestDumpCanary checks claim ENC-1 against a real pg_dump: markers put into
// every user field through the services (including overwritten values)
// appear in the dump neither as text nor as the hex of bytea, while the
// plain-text identifiers do, which proves the dump holds the rows.
func TestDumpCanary(t *testing.T) {
	env := newEnv(t)
	dump := pgDump(t)
	s := env.stores(t, newKey())
	ctx := context.Background()
	m := map[string]string{}
	for _, f := range []string{"email", "name", "new email", "new name", "workspace", "renamed", "title", "content", "new title", "new content"} {
		m[f] = pgtest.RandomName("qcanary_")
	}
	u := &quire.User{Email: m["email"] + "@example.com", Name: m["name"]}
	mustNil(t, s.Users.CreateUser(ctx, u))
	w := &quire.Workspace{Name: m["workspace"], Region: quire.RegionEU, OwnerID: u.ID}
	mustNil(t, s.Workspaces.CreateWorkspace(ctx, w))
	n := &quire.Note{WorkspaceID: w.ID, Title: m["title"], Content: m["content"]}
	mustNil(t, s.Notes.CreateNote(ctx, n))
	_, err := s.Users.UpdateUser(ctx, u.ID, quire.UserUpdate{Email: ptrTo(m["new email"] + "@example.com"), Name: ptrTo(m["new name"])})
	mustNil(t, err)
	_, err = s.Workspaces.RenameWorkspace(ctx, w.ID, m["renamed"])
	mustNil(t, err)
	_, err = s.Notes.UpdateNote(ctx, n.ID, n.ID, quire.NoteUpdate{})
	if quire.ErrorCode(err) != quire.ENOTFOUND {
		t.Fatalf("update through the wrong workspace: %v", err)
	}
	_, err = s.Notes.UpdateNote(ctx, w.ID, n.ID, quire.NoteUpdate{Title: ptrTo(m["new title"]), Content: ptrTo(m["new content"])})
	mustNil(t, err)

	// A control: plain text stored in a bytea column on purpose, which the
	// dump shows as hex. Finding it proves that the hex check works.
	control := pgtest.RandomName("qcontrol_")
	mustNil(t, s.Keys.InsertDataKey(ctx, barrier.DataKey{Scope: barrier.WorkspaceScope(w.ID), Version: 99, KEKVersion: 1,
		Wrapped: []byte(control), CreatedAt: time.Now()}))

	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(cctx, dump, "--no-password", "--dbname="+env.Admin).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	for field, mk := range m {
		if bytes.Contains(out, []byte(mk)) || bytes.Contains(out, []byte(hex.EncodeToString([]byte(mk)))) {
			t.Errorf("the marker of field %q is in the database dump", field)
		}
	}
	if !bytes.Contains(out, []byte(hex.EncodeToString([]byte(control)))) {
		t.Error("the control value, stored as plain bytes, is not in the dump as hex: the scan is blind to bytea")
	}
	for what, v := range map[string]string{"user ID": u.ID, "workspace ID": w.ID, "note ID": n.ID} {
		if !bytes.Contains(out, []byte(v)) {
			t.Errorf("the %s is not in the dump: the dump does not hold the rows", what)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }
