package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// TestAuditAnchorTamper checks that a trimmed audit log whose anchor is
// moved forward, hiding the deletion of newer entries, fails to verify.
func TestAuditAnchorTamper(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quire.db")
	s := mustOpen(t, path, newKey())
	ctx := context.Background()
	old := time.Now().Add(-400 * 24 * time.Hour)
	for range 4 {
		if err := s.Auth.AppendAudit(ctx, &quire.AuditEvent{Event: "login", At: old}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Auth.AppendAudit(ctx, &quire.AuditEvent{Event: "login"}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Retention.TrimAudit(ctx, time.Now().Add(-365*24*time.Hour), 2); err != nil || n != 2 {
		t.Fatalf("TrimAudit = %d, %v", n, err)
	}
	if n, err := s.Auth.VerifyAudit(ctx); err != nil || n != 5 {
		t.Fatalf("VerifyAudit after the trim = %d, %v", n, err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// An attacker deletes entry 3 and moves the anchor onto it, copying
	// its hash and time: without the key, the anchor's MAC cannot follow.
	if _, err := raw.Exec(`UPDATE audit_anchor SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3),
		at = (SELECT at FROM audit_log WHERE seq = 3)`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("DELETE FROM audit_log WHERE seq = 3"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Auth.VerifyAudit(ctx); err == nil {
		t.Fatal("VerifyAudit passed with the anchor moved forward")
	}
}
