package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	"github.com/quirehq/quire/retention"
	"github.com/quirehq/quire/trust"
)

// agedData fills data with what retention deletes: an expired session,
// an AI usage record and audit entries past their periods, and a log file
// of long ago, beside live ones of each. It returns the expired
// session's ID.
func agedData(t *testing.T, data string) string {
	t.Helper()
	ctx := context.Background()
	a, err := openApp(ctx, mustConfig(t, data), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	svc, err := newAuth(a, cliLogger(&bytes.Buffer{}), func() string { return "https://quire.test" })
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	old := time.Now().Add(-500 * day)
	// The oldest audit entries, before the sign-up's: the trim deletes a
	// prefix of the chain only.
	for range 2 {
		if err := a.stores.auth.AppendAudit(ctx, &quire.AuditEvent{Event: "login", At: old}); err != nil {
			t.Fatal(err)
		}
	}
	u, _, err := svc.SignUp(ctx, "aged@example.com", "a long retention test passphrase", auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	sess := &quire.Session{UserID: u.ID, TokenHash: bytes.Repeat([]byte{7}, 32), Stage: quire.SessionFull, UserAgent: "test",
		CreatedAt: old, LastSeenAt: old, ExpiresAt: old.Add(day)}
	if err := a.stores.auth.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if err := a.stores.usage.RecordUsage(ctx, []*quire.AIUsage{{UserID: u.ID, At: old, Op: "chat"}, {UserID: u.ID, Op: "chat"}}); err != nil {
		t.Fatal(err)
	}
	return sess.ID
}

func TestAdminRetention(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	sessID := agedData(t, data)
	if err := os.MkdirAll(filepath.Join(data, "logs"), 0o700); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(data, "logs", "quire-2020-01-01.log")
	if err := os.WriteFile(stale, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	out := runOK(t, "admin", "retention", "--data", data)
	for _, want := range []string{"RULE", "diagnostic logs", "sessions", "AI usage records", "audit log", "orphaned files",
		"data exports", "security reports", "kept, not swept"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	removed := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[len(f)-1] == "ok" {
			removed[strings.Join(f[:len(f)-3], " ")] = f[len(f)-2]
		}
	}
	// The old log file goes when the command opens the logs (they sweep
	// as they open), so the rule itself finds nothing left to count.
	for rule, want := range map[string]string{"sessions": "1", "AI usage records": "1", "audit log": "2",
		"one-time tokens": "0"} {
		if removed[rule] != want {
			t.Errorf("%s removed %q, want %s:\n%s", rule, removed[rule], want, out)
		}
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the old log file is still there: %v", err)
	}
	db, err := sql.Open("sqlite", filepath.Join(data, "quire.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM sessions WHERE id = ?", sessID).Scan(&n); err != nil || n != 0 {
		t.Fatalf("expired session rows: %d (%v)", n, err)
	}
	if out := runOK(t, "admin", "audit", "verify", "--data", data); !strings.Contains(out, "The audit log verifies") {
		t.Fatalf("audit verify after retention: %s", out)
	}
	again := runOK(t, "admin", "retention", "--data", data)
	if strings.Contains(again, "FAILED") {
		t.Fatalf("second run: %s", again)
	}
}

// TestPrintRetentionOrphanedFiles checks that the orphaned files' line
// says why a single run removes none.
func TestPrintRetentionOrphanedFiles(t *testing.T) {
	var out bytes.Buffer
	if err := printRetention(&out, []retention.Status{{Name: retention.FileRuleName, Swept: true, Keep: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "one run only finds orphans") || !strings.Contains(out.String(), "at least 1h later") {
		t.Fatalf("output: %s", out.String())
	}
}

func TestPrintRetentionFailure(t *testing.T) {
	var out bytes.Buffer
	err := printRetention(&out, []retention.Status{{Name: "audit log", Swept: true, Error: quire.EINTERNAL, Keep: 365 * 24 * time.Hour}})
	if code, ok := err.(exitCode); !ok || code != 1 {
		t.Fatalf("err = %v, want exit code 1", err)
	}
	if !strings.Contains(out.String(), "FAILED (internal)") || !strings.Contains(out.String(), "365d") {
		t.Fatalf("output: %s", out.String())
	}
}

// TestServeRunsTheJanitor checks that quire serve starts the janitor: an
// expired session written before the start is gone shortly after.
func TestServeRunsTheJanitor(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	sessID := agedData(t, data)
	prev := retentionFirstDelay
	retentionFirstDelay = 10 * time.Millisecond
	t.Cleanup(func() { retentionFirstDelay = prev })
	s := startServe(t, data)
	db, err := sql.Open("sqlite", filepath.Join(data, "quire.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM sessions WHERE id = ?", sessID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the expired session is still there 20s after the start; stderr:\n%s", s.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.stop(t)
}

func TestWithLiveRetention(t *testing.T) {
	rep := &trust.Report{Version: "v"}
	at := time.Now()
	list := []retention.Status{{Name: "sessions", Swept: true, LastRun: at, Removed: 4, Total: 9}}
	get := withLiveRetention(func(context.Context) *trust.Report { return rep }, func() []retention.Status { return list })
	got := get(context.Background())
	// The live report is the public one: when, not how much.
	if len(got.Retention) != 1 || !got.Retention[0].LastRun.Equal(at) || got.Retention[0].Removed != 0 ||
		got.Retention[0].Total != 0 || rep.Retention != nil {
		t.Fatalf("live report %+v, original %+v", got.Retention, rep.Retention)
	}
	none := withLiveRetention(func(context.Context) *trust.Report { return nil }, func() []retention.Status { return list })
	if none(context.Background()) != nil {
		t.Fatal("a report appeared before the first run")
	}
}
