package postgres

import (
	"context"
	"crypto/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

// TestRowLevelSecurityShares proves with raw SQL, as the application role,
// that folder shares are bound to their workspace like notes: a
// transaction sees and writes only its own workspace's shares, one bound
// to nothing or to another workspace sees none, the folder key refuses a
// folder of another workspace, and only the two functions of migration
// 0013 read across tenants, for the application role alone.
func TestRowLevelSecurityShares(t *testing.T) {
	env := newEnv(t)
	s := env.stores(t, newKey())
	tn := seedTenants(t, s)
	ctx := context.Background()
	type seeded struct {
		folder, pending, granted string
		token                    []byte
	}
	seed := func(ws, inviter string) seeded {
		f := &quire.Folder{WorkspaceID: ws, Name: "f"}
		if err := s.Folders.CreateFolder(ctx, f); err != nil {
			t.Fatalf("CreateFolder: %v", err)
		}
		out := seeded{folder: f.ID}
		for i, email := range []string{"pending@example.com", "granted@example.com"} {
			sh := &quire.FolderShare{WorkspaceID: ws, FolderID: f.ID, Email: email, Permission: quire.ShareRead,
				InvitedBy: inviter, ExpiresAt: time.Now().Add(time.Hour)}
			tok := make([]byte, quire.ShareIndexSize)
			_, _ = rand.Read(tok)
			if err := s.Shares.CreateShare(ctx, sh, s.Barrier.BlindIndex(quire.ShareEmailIndexPurpose, []byte(email)), tok); err != nil {
				t.Fatalf("CreateShare: %v", err)
			}
			if i == 0 {
				out.pending, out.token = sh.ID, tok
				continue
			}
			if _, err := s.Shares.AcceptShare(ctx, ws, sh.ID, tok, tn.shared.ID); err != nil {
				t.Fatalf("AcceptShare: %v", err)
			}
			out.granted = sh.ID
		}
		return out
	}
	a, b := seed(tn.a.ID, tn.aUser.ID), seed(tn.b.ID, tn.bUser.ID)
	sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
	c := conn(t, env.AppURL)
	for _, tc := range []struct {
		name, workspace, user string
		want                  []string
	}{
		{"bound to A", tn.a.ID, "", sorted(a.pending, a.granted)},
		{"bound to B", tn.b.ID, "", sorted(b.pending, b.granted)},
		{"unbound", "", "", []string{}},
		{"unknown workspace", quire.NewID(), "", []string{}},
		{"user bound to the grantee", "", tn.shared.ID, []string{}},
	} {
		asApp(t, c, tc.workspace, tc.user, func(tx pgx.Tx) {
			if got := strs(t, tx, "SELECT id FROM folder_shares ORDER BY id"); !slices.Equal(got, tc.want) {
				t.Errorf("%s: shares %v, want %v", tc.name, got, tc.want)
			}
		})
	}
	asApp(t, c, "", "", func(tx pgx.Tx) {
		if _, err := tx.Exec(ctx, "SELECT set_config('quire.maintenance', 'on', true)"); err != nil {
			t.Fatal(err)
		}
		if got := strs(t, tx, "SELECT id FROM folder_shares"); len(got) != 0 {
			t.Errorf("%d shares visible to the application role with quire.maintenance on", len(got))
		}
	})

	for _, tc := range []struct {
		name, code, sql string
		args            []any
	}{
		{"insert a share of B", "42501", `INSERT INTO folder_shares (id, workspace_id, folder_id, email_enc, email_index, permission,
			token_index, invited_by, created_at, expires_at) VALUES ($1, $2, $3, '\x00', $4, 'write', $4, $5, now(), now())`,
			[]any{quire.NewID(), tn.b.ID, b.folder, make([]byte, 32), tn.aUser.ID}},
		{"move A's share into B", "42501", "UPDATE folder_shares SET workspace_id = $1 WHERE id = $2", []any{tn.b.ID, a.pending}},
		{"share B's folder from A", "23503", `INSERT INTO folder_shares (id, workspace_id, folder_id, email_enc, email_index, permission,
			token_index, invited_by, created_at, expires_at) VALUES ($1, $2, $3, '\x00', $4, 'write', $4, $5, now(), now())`,
			[]any{quire.NewID(), tn.a.ID, b.folder, make([]byte, 32), tn.aUser.ID}},
		{"point A's share at B's folder", "23503", "UPDATE folder_shares SET folder_id = $1, email_index = $3 WHERE id = $2",
			[]any{b.folder, a.pending, []byte(strings.Repeat("i", 32))}},
		{"a pending share without a token", "23514", "UPDATE folder_shares SET token_index = NULL WHERE id = $1", []any{a.pending}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asApp(t, c, tn.a.ID, "", func(tx pgx.Tx) {
				if _, err := tx.Exec(ctx, tc.sql, tc.args...); pgCode(err) != tc.code {
					t.Fatalf("err = %v (SQLSTATE %q), want a refusal with SQLSTATE %s", err, pgCode(err), tc.code)
				}
			})
		})
	}
	for _, q := range []string{"UPDATE folder_shares SET permission = 'write' WHERE workspace_id = $1",
		"UPDATE folder_shares SET email_enc = '\\x00' WHERE workspace_id = $1", "DELETE FROM folder_shares WHERE workspace_id = $1"} {
		asApp(t, c, tn.a.ID, "", func(tx pgx.Tx) {
			if tag, err := tx.Exec(ctx, q, tn.b.ID); err != nil || tag.RowsAffected() != 0 {
				t.Errorf("%s: affected %d rows of B (err %v), want 0", q, tag.RowsAffected(), err)
			}
		})
	}

	t.Run("cross-tenant functions", func(t *testing.T) {
		asApp(t, c, "", "", func(tx pgx.Tx) {
			if got := strs(t, tx, "SELECT id FROM quire_share_invite($1)", b.token); !slices.Equal(got, []string{b.pending}) {
				t.Errorf("quire_share_invite = %v, want B's pending share", got)
			}
			if got := strs(t, tx, "SELECT id FROM quire_share_invite($1)", make([]byte, 32)); len(got) != 0 {
				t.Errorf("an unknown token finds %v", got)
			}
			if got := strs(t, tx, "SELECT id FROM quire_shares_for_user($1) ORDER BY id", tn.shared.ID); !slices.Equal(got, sorted(a.granted, b.granted)) {
				t.Errorf("quire_shares_for_user = %v, want the grants in A and B", got)
			}
			// The function's maintenance setting does not outlive it.
			if got := strs(t, tx, "SELECT id FROM folder_shares"); len(got) != 0 {
				t.Errorf("after the functions the transaction sees %d shares", len(got))
			}
		})
		other := conn(t, env.Role(t, ""))
		for _, q := range []string{"SELECT count(*) FROM quire_share_invite('\\x00')", "SELECT count(*) FROM quire_shares_for_user('x')"} {
			if _, err := other.Exec(ctx, q); pgCode(err) != "42501" {
				t.Errorf("%s as a role without the grant: err = %v, want permission denied", q, err)
			}
		}
		rows, err := conn(t, env.OwnerURL).Query(ctx, `SELECT proname::text, prosecdef, array_to_string(proconfig, ',') FROM pg_proc
			WHERE proname IN ('quire_share_invite', 'quire_shares_for_user') ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		type fn struct {
			name    string
			definer bool
			config  string
		}
		fns, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (fn, error) {
			var f fn
			return f, r.Scan(&f.name, &f.definer, &f.config)
		})
		if err != nil || len(fns) != 2 {
			t.Fatalf("functions: %v, %v", fns, err)
		}
		for _, f := range fns {
			if !f.definer || !strings.HasPrefix(f.config, "search_path=") || !strings.Contains(f.config, "pg_temp") {
				t.Errorf("%s: security definer %v, config %q; want a definer with a pinned search path", f.name, f.definer, f.config)
			}
		}
	})
}
