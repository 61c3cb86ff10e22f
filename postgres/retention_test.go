package postgres

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/quirehq/quire"
)

// TestAuditTrimOnlyThroughTheFunction checks that the application role
// still cannot delete from the audit log or write its anchor, and that
// quire_trim_audit refuses the newest entry and recent ones; and that an
// anchor moved forward by the owner fails verification.
func TestAuditTrimOnlyThroughTheFunction(t *testing.T) {
	env := newEnv(t)
	s := env.stores(t, newKey())
	ctx := context.Background()
	old := time.Now().Add(-400 * 24 * time.Hour)
	for range 4 {
		if err := s.Auth.AppendAudit(ctx, &quire.AuditEvent{Event: "login", At: old}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := s.Auth.AppendAudit(ctx, &quire.AuditEvent{Event: "login"}); err != nil {
			t.Fatal(err)
		}
	}
	env.ageAudit(t)
	app := conn(t, env.AppURL)
	for _, q := range []string{"DELETE FROM audit_log WHERE seq = 1", "TRUNCATE audit_log",
		"INSERT INTO audit_anchor (id, seq, hash, at, mac) VALUES (1, 1, '\\x00', now(), '\\x00')", "DELETE FROM audit_anchor"} {
		if _, err := app.Exec(ctx, q); pgCode(err) != "42501" {
			t.Errorf("%s: err = %v, want permission denied", q, err)
		}
	}
	for _, upto := range []int64{6, 5, 99} { // the newest, a recent one, none
		if _, err := app.Exec(ctx, "SELECT quire_trim_audit($1, '\\x00')", upto); err == nil {
			t.Errorf("quire_trim_audit(%d) was allowed", upto)
		}
	}
	if n, err := s.Retention.TrimAudit(ctx, time.Now().Add(-365*24*time.Hour), 100); err != nil || n != 4 {
		t.Fatalf("TrimAudit = %d, %v", n, err)
	}
	if n, err := s.Auth.VerifyAudit(ctx); err != nil || n != 6 {
		t.Fatalf("VerifyAudit after the trim = %d, %v", n, err)
	}
	owner := conn(t, env.OwnerURL)
	if _, err := owner.Exec(ctx, `UPDATE audit_anchor SET seq = 5, hash = (SELECT hash FROM audit_log WHERE seq = 5),
		at = (SELECT at FROM audit_log WHERE seq = 5)`); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Exec(ctx, "DELETE FROM audit_log WHERE seq = 5"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Auth.VerifyAudit(ctx); err == nil {
		t.Fatal("VerifyAudit passed with the anchor moved forward")
	}
}

// TestAuditTrimRefusesBackdatedEntries is the attack of an application
// that chooses at: as the application role, append entries dated long
// ago after genuinely old ones, then trim through them. quire_trim_audit
// must refuse, since they were written just now, whatever they say; and
// the application cannot set when an entry was written.
func TestAuditTrimRefusesBackdatedEntries(t *testing.T) {
	env := newEnv(t)
	s := env.stores(t, newKey())
	ctx := context.Background()
	old := time.Now().Add(-400 * 24 * time.Hour)
	for range 3 { // entries 1 to 3: genuinely old
		if err := s.Auth.AppendAudit(ctx, &quire.AuditEvent{Event: "login", At: old}); err != nil {
			t.Fatal(err)
		}
	}
	env.ageAudit(t)
	app := conn(t, env.AppURL)
	// Entry 4 back-dated through the store, entry 5 by hand with
	// recorded_at set too.
	if err := s.Auth.AppendAudit(ctx, &quire.AuditEvent{Event: "login", At: old}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Exec(ctx, `INSERT INTO audit_log (seq, at, event, user_id, meta, hash, recorded_at)
		VALUES (5, $1, 'login', '', '{}', '\x00', $1)`, old); err != nil {
		t.Fatal(err)
	}
	var recent bool
	if err := app.QueryRow(ctx, "SELECT recorded_at > now() - interval '1 hour' FROM audit_log WHERE seq = 5").Scan(&recent); err != nil || !recent {
		t.Fatalf("the application set recorded_at: recent = %v, %v", recent, err)
	}
	if _, err := app.Exec(ctx, "UPDATE audit_log SET recorded_at = at WHERE seq = 5"); pgCode(err) != "42501" {
		t.Fatalf("the application updated recorded_at: %v", err)
	}
	for _, upto := range []int64{4} {
		_, err := app.Exec(ctx, "SELECT quire_trim_audit($1, '\\x00')", upto)
		if pgCode(err) != "22023" {
			t.Fatalf("quire_trim_audit(%d) through a back-dated entry: err = %v, want refused", upto, err)
		}
	}
	// The janitor's trim stops before them.
	if n, err := s.Retention.TrimAudit(ctx, time.Now().Add(-365*24*time.Hour), 100); err != nil || n != 3 {
		t.Fatalf("TrimAudit = %d, %v; want the 3 old entries", n, err)
	}
	var left int
	if err := app.QueryRow(ctx, "SELECT count(*) FROM audit_log").Scan(&left); err != nil || left != 2 {
		t.Fatalf("%d entries left (%v), want the 2 back-dated ones", left, err)
	}
}

// TestAuditTrimConcurrent checks that trims running at once (several
// servers, or quire admin retention beside quire serve) take turns: each
// succeeds, and together they delete each old entry once.
func TestAuditTrimConcurrent(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	key := newKey()
	s := env.stores(t, key)
	old := time.Now().Add(-400 * 24 * time.Hour)
	const oldEntries, trimmers, batch = 24, 6, 4
	for range oldEntries {
		if err := s.Auth.AppendAudit(ctx, &quire.AuditEvent{Event: "login", At: old}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Auth.AppendAudit(ctx, &quire.AuditEvent{Event: "login"}); err != nil {
		t.Fatal(err)
	}
	env.ageAudit(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for i := range trimmers {
		st := s
		if i%2 == 1 { // a pool of its own, as another server would have
			st = env.stores(t, key)
		}
		wg.Go(func() {
			n, err := st.Retention.TrimAudit(ctx, time.Now().Add(-365*24*time.Hour), batch)
			if err != nil {
				t.Errorf("concurrent TrimAudit: %v", err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if total != trimmers*batch {
		t.Fatalf("the trims deleted %d entries in all, want %d", total, trimmers*batch)
	}
	if n, err := s.Auth.VerifyAudit(ctx); err != nil || n != oldEntries+1 {
		t.Fatalf("VerifyAudit = %d, %v", n, err)
	}
}

// TestInvitationsVisitBoundedWorkspaces checks that one call of a rule
// spanning workspaces visits at most maxWorkspaceVisits of them, and that
// the next call goes on from there.
func TestInvitationsVisitBoundedWorkspaces(t *testing.T) {
	env := newEnv(t)
	s := env.stores(t, newKey())
	ctx := context.Background()
	defer func(v int) { maxWorkspaceVisits = v }(maxWorkspaceVisits)
	maxWorkspaceVisits = 2
	owner := &quire.User{Email: "owner@example.com", Name: "Owner"}
	if err := s.Users.CreateUser(ctx, owner); err != nil {
		t.Fatal(err)
	}
	expired := time.Now().Add(-40 * 24 * time.Hour)
	for i := range 3 {
		ws := &quire.Workspace{Name: "w", Region: quire.RegionUS, OwnerID: owner.ID}
		if err := s.Workspaces.CreateWorkspace(ctx, ws); err != nil {
			t.Fatal(err)
		}
		f := &quire.Folder{WorkspaceID: ws.ID, Name: "f"}
		if err := s.Folders.CreateFolder(ctx, f); err != nil {
			t.Fatal(err)
		}
		email := string(rune('a'+i)) + "@example.com"
		sh := &quire.FolderShare{WorkspaceID: ws.ID, FolderID: f.ID, Email: email, Permission: quire.ShareRead,
			InvitedBy: owner.ID, ExpiresAt: expired}
		tok := make([]byte, quire.ShareIndexSize)
		tok[0] = byte(i + 1)
		if err := s.Shares.CreateShare(ctx, sh, s.Barrier.BlindIndex(quire.ShareEmailIndexPurpose, []byte(email)), tok); err != nil {
			t.Fatal(err)
		}
	}
	before := time.Now().Add(-30 * 24 * time.Hour)
	for _, want := range []int{2, 1, 0} { // two workspaces, the third (then the first two again), none left
		if n, err := s.Retention.DeleteExpiredInvitations(ctx, before, 100); err != nil || n != want {
			t.Fatalf("DeleteExpiredInvitations = %d, %v; want %d", n, err, want)
		}
	}
}

// TestOwnershipCoversAuditAnchor checks that a role owning the audit
// log's anchor, and no other table, is refused as a table owner: it could
// move the anchor's privileges.
func TestOwnershipCoversAuditAnchor(t *testing.T) {
	env := newEnv(t)
	mustOpen(t, env.config())
	roleURL := env.Role(t, "")
	c := conn(t, roleURL)
	ctx := context.Background()
	var role string
	if err := c.QueryRow(ctx, "SELECT current_user::text").Scan(&role); err != nil {
		t.Fatal(err)
	}
	if _, err := conn(t, env.Admin).Exec(ctx, "ALTER TABLE audit_anchor OWNER TO "+role); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, roleURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	db := &DB{pool: pool}
	if err := db.checkOwnership(ctx); err == nil || !strings.Contains(err.Error(), "owns Quire's tables") {
		t.Fatalf("checkOwnership of the anchor's owner: %v", err)
	}
}
