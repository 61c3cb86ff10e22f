package postgres

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/postgres/pgtest"
	"github.com/quirehq/quire/storetest"
)

// tenants is two workspaces, A and B, each with an owner, a second member,
// two notes and an AI policy, stored through the services.
type tenants struct {
	a, b         *quire.Workspace
	aUser, bUser *quire.User
	shared       *quire.User // a member of both
	aNotes       []string
	bNotes       []string
}

func seedTenants(t *testing.T, s storetest.Stores) *tenants {
	t.Helper()
	ctx := context.Background()
	user := func(name string) *quire.User {
		u := &quire.User{Email: pgtest.RandomName(name) + "@example.com", Name: name}
		if err := s.Users.CreateUser(ctx, u); err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
		return u
	}
	ws := func(owner *quire.User) *quire.Workspace {
		w := &quire.Workspace{Name: "ws", Region: quire.RegionUS, OwnerID: owner.ID}
		if err := s.Workspaces.CreateWorkspace(ctx, w); err != nil {
			t.Fatalf("CreateWorkspace: %v", err)
		}
		return w
	}
	notes := func(w *quire.Workspace) []string {
		var ids []string
		for range 2 {
			n := &quire.Note{WorkspaceID: w.ID, Title: "t", Content: "c"}
			if err := s.Notes.CreateNote(ctx, n); err != nil {
				t.Fatalf("CreateNote: %v", err)
			}
			ids = append(ids, n.ID)
		}
		slices.Sort(ids)
		return ids
	}
	tn := &tenants{aUser: user("alice"), bUser: user("bob"), shared: user("carol")}
	tn.a, tn.b = ws(tn.aUser), ws(tn.bUser)
	tn.aNotes, tn.bNotes = notes(tn.a), notes(tn.b)
	for _, w := range []*quire.Workspace{tn.a, tn.b} {
		if err := s.Workspaces.SetAIPolicy(ctx, w.ID, &quire.AIPolicy{AllowNonZDR: true}); err != nil {
			t.Fatalf("SetAIPolicy: %v", err)
		}
	}
	for _, w := range []*quire.Workspace{tn.a, tn.b} {
		m := &quire.Membership{WorkspaceID: w.ID, UserID: tn.shared.ID, Role: quire.RoleViewer}
		if err := s.Workspaces.AddMember(ctx, m); err != nil {
			t.Fatalf("AddMember: %v", err)
		}
	}
	return tn
}

// asApp runs fn in a transaction of the application role's raw connection,
// with the given settings (none if empty), and rolls it back.
func asApp(t *testing.T, c *pgx.Conn, workspace, user string, fn func(tx pgx.Tx)) {
	t.Helper()
	ctx := context.Background()
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if workspace != "" || user != "" {
		if _, err := tx.Exec(ctx, "SELECT set_config('quire.workspace_id', $1, true), set_config('quire.user_id', $2, true)", workspace, user); err != nil {
			t.Fatalf("bind: %v", err)
		}
	}
	fn(tx)
}

func strs(t *testing.T, tx pgx.Tx, sql string, args ...any) []string {
	t.Helper()
	rows, err := tx.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// TestRowLevelSecurityReads proves with raw SQL, as the application role,
// that what a transaction sees is exactly what its binding allows.
func TestRowLevelSecurityReads(t *testing.T) {
	env := newEnv(t)
	tn := seedTenants(t, env.stores(t, newKey()))
	c := conn(t, env.AppURL)
	sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
	queries := map[string]string{
		"notes":       "SELECT id FROM notes ORDER BY id",
		"workspaces":  "SELECT id FROM workspaces ORDER BY id",
		"memberships": "SELECT workspace_id || '/' || user_id FROM memberships ORDER BY 1",
		"ws keys":     "SELECT DISTINCT workspace_id FROM data_keys WHERE workspace_id IS NOT NULL ORDER BY 1",
		"ai policies": "SELECT workspace_id FROM ai_policies ORDER BY 1",
	}
	cases := []struct {
		name            string
		workspace, user string
		want            map[string][]string
	}{
		{"bound to A", tn.a.ID, "", map[string][]string{
			"notes": tn.aNotes, "workspaces": {tn.a.ID}, "ws keys": {tn.a.ID}, "ai policies": {tn.a.ID},
			"memberships": sorted(tn.a.ID+"/"+tn.aUser.ID, tn.a.ID+"/"+tn.shared.ID)}},
		{"bound to B", tn.b.ID, "", map[string][]string{
			"notes": tn.bNotes, "workspaces": {tn.b.ID}, "ws keys": {tn.b.ID}, "ai policies": {tn.b.ID},
			"memberships": sorted(tn.b.ID+"/"+tn.bUser.ID, tn.b.ID+"/"+tn.shared.ID)}},
		{"unbound", "", "", map[string][]string{"notes": {}, "workspaces": {}, "memberships": {}, "ws keys": {}, "ai policies": {}}},
		{"unknown workspace", quire.NewID(), "", map[string][]string{"notes": {}, "workspaces": {}, "memberships": {}, "ws keys": {}, "ai policies": {}}},
		{"user bound: own memberships, no notes", "", tn.shared.ID, map[string][]string{
			"notes": {}, "workspaces": sorted(tn.a.ID, tn.b.ID), "ws keys": {}, "ai policies": sorted(tn.a.ID, tn.b.ID),
			"memberships": sorted(tn.a.ID+"/"+tn.shared.ID, tn.b.ID+"/"+tn.shared.ID)}},
		{"user bound: owner of A only", "", tn.aUser.ID, map[string][]string{
			"notes": {}, "workspaces": {tn.a.ID}, "ws keys": {}, "ai policies": {tn.a.ID},
			"memberships": {tn.a.ID + "/" + tn.aUser.ID}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			asApp(t, c, tc.workspace, tc.user, func(tx pgx.Tx) {
				for what, q := range queries {
					if got := strs(t, tx, q); !slices.Equal(got, tc.want[what]) {
						t.Errorf("%s: got %v, want %v", what, got, tc.want[what])
					}
				}
			})
		})
	}
	t.Run("setting ends with its transaction", func(t *testing.T) {
		asApp(t, c, tn.a.ID, "", func(tx pgx.Tx) {
			if got := strs(t, tx, queries["notes"]); len(got) != 2 {
				t.Fatalf("bound: %d notes, want 2", len(got))
			}
		})
		asApp(t, c, "", "", func(tx pgx.Tx) {
			if got := strs(t, tx, queries["notes"]); len(got) != 0 {
				t.Fatalf("the next transaction on the connection sees %d notes", len(got))
			}
		})
	})
	t.Run("maintenance setting opens nothing to the app role", func(t *testing.T) {
		asApp(t, c, "", "", func(tx pgx.Tx) {
			if _, err := tx.Exec(context.Background(), "SELECT set_config('quire.maintenance', 'on', true)"); err != nil {
				t.Fatal(err)
			}
			for what, q := range queries {
				if got := strs(t, tx, q); len(got) != 0 {
					t.Errorf("%s: %v visible with quire.maintenance on", what, got)
				}
			}
		})
	})
}

// TestRowLevelSecurityWrites proves that a transaction bound to A can
// neither write rows of B nor move rows into B, and that the application
// role cannot switch row-level security off.
func TestRowLevelSecurityWrites(t *testing.T) {
	env := newEnv(t)
	tn := seedTenants(t, env.stores(t, newKey()))
	c := conn(t, env.AppURL)
	ctx := context.Background()
	rejected := []struct {
		name string
		sql  string
		args []any
	}{
		{"insert a note of B", `INSERT INTO notes (id, workspace_id, title_enc, content_enc, version, created_at, updated_at)
			VALUES ($1, $2, '\x00', '\x00', 1, now(), now())`, []any{quire.NewID(), tn.b.ID}},
		{"move a note of A into B", "UPDATE notes SET workspace_id = $1 WHERE id = $2", []any{tn.b.ID, tn.aNotes[0]}},
		{"insert a membership of B", "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, 'owner', now())",
			[]any{tn.b.ID, tn.aUser.ID}},
		{"insert a workspace other than A", `INSERT INTO workspaces (id, name_enc, region, owner_id, created_at, updated_at)
			VALUES ($1, '\x00', 'us', $2, now(), now())`, []any{quire.NewID(), tn.aUser.ID}},
		{"insert B's AI policy", `INSERT INTO ai_policies (workspace_id, policy_enc, updated_at) VALUES ($1, '\x00', now())`,
			[]any{tn.b.ID}},
		{"move A's AI policy to B", "UPDATE ai_policies SET workspace_id = $1 WHERE workspace_id = $2", []any{tn.b.ID, tn.a.ID}},
		{"insert a data key of B", `INSERT INTO data_keys (scope, version, kek_version, wrapped, created_at) VALUES ($1, 99, 1, '\x00', now())`,
			[]any{"ws:" + tn.b.ID}},
		{"disable row-level security", "ALTER TABLE notes DISABLE ROW LEVEL SECURITY", nil},
		{"drop a policy", "DROP POLICY tenant ON notes", nil},
	}
	for _, tc := range rejected {
		t.Run(tc.name, func(t *testing.T) {
			asApp(t, c, tn.a.ID, "", func(tx pgx.Tx) {
				_, err := tx.Exec(ctx, tc.sql, tc.args...)
				if code := pgCode(err); code != "42501" { // insufficient_privilege / RLS violation
					t.Fatalf("err = %v (SQLSTATE %q), want a refusal with SQLSTATE 42501", err, code)
				}
			})
		})
	}
	invisible := []struct{ name, sql string }{
		{"update B's notes", "UPDATE notes SET pinned = true WHERE workspace_id = $1"},
		{"delete B's notes", "DELETE FROM notes WHERE workspace_id = $1"},
		{"delete B's memberships", "DELETE FROM memberships WHERE workspace_id = $1"},
		{"rename B", "UPDATE workspaces SET name_enc = '\\x00' WHERE id = $1"},
		{"delete B's keys", "DELETE FROM data_keys WHERE workspace_id = $1"},
		{"overwrite B's AI policy", "UPDATE ai_policies SET policy_enc = '\\x00' WHERE workspace_id = $1"},
		{"delete B's AI policy", "DELETE FROM ai_policies WHERE workspace_id = $1"},
	}
	for _, tc := range invisible {
		t.Run(tc.name, func(t *testing.T) {
			asApp(t, c, tn.a.ID, "", func(tx pgx.Tx) {
				tag, err := tx.Exec(ctx, tc.sql, tn.b.ID)
				if err != nil || tag.RowsAffected() != 0 {
					t.Fatalf("affected %d rows of B (err %v), want 0", tag.RowsAffected(), err)
				}
			})
		})
	}
	t.Run("writes to A work", func(t *testing.T) {
		asApp(t, c, tn.a.ID, "", func(tx pgx.Tx) {
			tag, err := tx.Exec(ctx, "UPDATE notes SET pinned = true WHERE workspace_id = $1", tn.a.ID)
			if err != nil || tag.RowsAffected() != 2 {
				t.Fatalf("affected %d rows of A (err %v), want 2", tag.RowsAffected(), err)
			}
		})
	})
}

// TestRowLevelSecurityFoldersIdeas proves with raw SQL, as the application
// role, that folders and ideas are bound to their workspace like notes,
// and that the foreign keys to folders refuse a folder of another
// workspace even where row-level security would let the write through.
func TestRowLevelSecurityFoldersIdeas(t *testing.T) {
	env := newEnv(t)
	s := env.stores(t, newKey())
	tn := seedTenants(t, s)
	ctx := context.Background()
	seed := func(ws string) (folder string, ideas []string) {
		f := &quire.Folder{WorkspaceID: ws, Name: "f"}
		if err := s.Folders.CreateFolder(ctx, f); err != nil {
			t.Fatalf("CreateFolder: %v", err)
		}
		for _, in := range []string{f.ID, ""} {
			i := &quire.Idea{WorkspaceID: ws, Text: "i", FolderID: in}
			if err := s.Ideas.CreateIdea(ctx, i); err != nil {
				t.Fatalf("CreateIdea: %v", err)
			}
			ideas = append(ideas, i.ID)
		}
		slices.Sort(ideas)
		return f.ID, ideas
	}
	aFolder, aIdeas := seed(tn.a.ID)
	bFolder, bIdeas := seed(tn.b.ID)
	c := conn(t, env.AppURL)
	for _, tc := range []struct {
		name, workspace, user string
		folders, ideas        []string
	}{
		{"bound to A", tn.a.ID, "", []string{aFolder}, aIdeas},
		{"bound to B", tn.b.ID, "", []string{bFolder}, bIdeas},
		{"unbound", "", "", []string{}, []string{}},
		{"user bound", "", tn.shared.ID, []string{}, []string{}},
	} {
		asApp(t, c, tc.workspace, tc.user, func(tx pgx.Tx) {
			if got := strs(t, tx, "SELECT id FROM folders ORDER BY id"); !slices.Equal(got, tc.folders) {
				t.Errorf("%s: folders %v, want %v", tc.name, got, tc.folders)
			}
			if got := strs(t, tx, "SELECT id FROM ideas ORDER BY id"); !slices.Equal(got, tc.ideas) {
				t.Errorf("%s: ideas %v, want %v", tc.name, got, tc.ideas)
			}
		})
	}
	refused := []struct {
		name, code, sql string
		args            []any
	}{
		{"insert a folder of B", "42501", `INSERT INTO folders (id, workspace_id, name_enc, created_at, updated_at)
			VALUES ($1, $2, '\x00', now(), now())`, []any{quire.NewID(), tn.b.ID}},
		{"move A's folder into B", "42501", "UPDATE folders SET workspace_id = $1 WHERE id = $2", []any{tn.b.ID, aFolder}},
		{"insert an idea of B", "42501", `INSERT INTO ideas (id, workspace_id, text_enc, created_at, updated_at)
			VALUES ($1, $2, '\x00', now(), now())`, []any{quire.NewID(), tn.b.ID}},
		{"move A's idea into B", "42501", "UPDATE ideas SET workspace_id = $1 WHERE id = $2", []any{tn.b.ID, aIdeas[0]}},
		{"file A's idea in B's folder", "23503", "UPDATE ideas SET folder_id = $1 WHERE id = $2", []any{bFolder, aIdeas[0]}},
		{"file A's note in B's folder", "23503", "UPDATE notes SET folder_id = $1 WHERE id = $2", []any{bFolder, tn.aNotes[0]}},
		{"file A's note in no folder that exists", "23503", "UPDATE notes SET folder_id = $1 WHERE id = $2", []any{quire.NewID(), tn.aNotes[0]}},
		{"delete A's folder while ideas are in it", "23503", "DELETE FROM folders WHERE id = $1", []any{aFolder}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			asApp(t, c, tn.a.ID, "", func(tx pgx.Tx) {
				if _, err := tx.Exec(ctx, tc.sql, tc.args...); pgCode(err) != tc.code {
					t.Fatalf("err = %v (SQLSTATE %q), want a refusal with SQLSTATE %s", err, pgCode(err), tc.code)
				}
			})
		})
	}
	for _, q := range []string{"UPDATE folders SET name_enc = '\\x00' WHERE workspace_id = $1", "DELETE FROM ideas WHERE workspace_id = $1",
		"UPDATE ideas SET text_enc = '\\x00' WHERE workspace_id = $1"} {
		asApp(t, c, tn.a.ID, "", func(tx pgx.Tx) {
			if tag, err := tx.Exec(ctx, q, tn.b.ID); err != nil || tag.RowsAffected() != 0 {
				t.Errorf("%s: affected %d rows of B (err %v), want 0", q, tag.RowsAffected(), err)
			}
		})
	}
}

// TestRowLevelSecurityFiles proves with raw SQL, as the application role,
// that file rows are bound to their workspace like notes, and that the
// note key refuses a note of another workspace even where row-level
// security would let the write through.
func TestRowLevelSecurityFiles(t *testing.T) {
	env := newEnv(t)
	s := env.stores(t, newKey())
	tn := seedTenants(t, s)
	ctx := context.Background()
	seed := func(ws, note string) string {
		f := &quire.File{ID: quire.NewID(), WorkspaceID: ws, NoteID: note, Name: "f.txt", MediaType: "text/plain; charset=utf-8"}
		if err := s.Files.CreateFile(ctx, f); err != nil {
			t.Fatalf("CreateFile: %v", err)
		}
		return f.ID
	}
	aFile, bFile := seed(tn.a.ID, tn.aNotes[0]), seed(tn.b.ID, "")
	c := conn(t, env.AppURL)
	for _, tc := range []struct {
		name, workspace, user string
		want                  []string
	}{
		{"bound to A", tn.a.ID, "", []string{aFile}},
		{"bound to B", tn.b.ID, "", []string{bFile}},
		{"unbound", "", "", []string{}},
		{"user bound", "", tn.shared.ID, []string{}},
	} {
		asApp(t, c, tc.workspace, tc.user, func(tx pgx.Tx) {
			if got := strs(t, tx, "SELECT id FROM files ORDER BY id"); !slices.Equal(got, tc.want) {
				t.Errorf("%s: files %v, want %v", tc.name, got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name, code, sql string
		args            []any
	}{
		{"insert a file of B", "42501", `INSERT INTO files (id, workspace_id, name_enc, media_type, size, created_at)
			VALUES ($1, $2, '\x00', 'image/png', 0, now())`, []any{quire.NewID(), tn.b.ID}},
		{"move A's file into B", "42501", "UPDATE files SET workspace_id = $1 WHERE id = $2", []any{tn.b.ID, aFile}},
		{"attach A's file to B's note", "23503", "UPDATE files SET note_id = $1 WHERE id = $2", []any{tn.bNotes[0], aFile}},
		{"attach A's file to no note that exists", "23503", "UPDATE files SET note_id = $1 WHERE id = $2", []any{quire.NewID(), aFile}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asApp(t, c, tn.a.ID, "", func(tx pgx.Tx) {
				if _, err := tx.Exec(ctx, tc.sql, tc.args...); pgCode(err) != tc.code {
					t.Fatalf("err = %v (SQLSTATE %q), want a refusal with SQLSTATE %s", err, pgCode(err), tc.code)
				}
			})
		})
	}
	for _, q := range []string{"UPDATE files SET name_enc = '\\x00' WHERE workspace_id = $1", "DELETE FROM files WHERE workspace_id = $1"} {
		asApp(t, c, tn.a.ID, "", func(tx pgx.Tx) {
			if tag, err := tx.Exec(ctx, q, tn.b.ID); err != nil || tag.RowsAffected() != 0 {
				t.Errorf("%s: affected %d rows of B (err %v), want 0", q, tag.RowsAffected(), err)
			}
		})
	}
}
