package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quirehq/quire/postgres/pgtest"
)

// TestPostgresServeAndTrust runs quire on PostgreSQL laid out as in
// production (an owner role for migrations, a separate application role)
// and checks the live trust report against it.
func TestPostgresServeAndTrust(t *testing.T) {
	env := pgtest.New(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "quire.yaml")
	yaml := "database:\n  driver: postgres\n  url: ${QUIRE_TEST_APP_URL}\n  owner_url: ${QUIRE_TEST_OWNER_URL}\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("QUIRE_TEST_APP_URL", env.AppURL)
	t.Setenv("QUIRE_TEST_OWNER_URL", env.OwnerURL)
	data := filepath.Join(dir, "data")

	if out := runOK(t, "migrate", "--config", cfg, "--data", data); !strings.Contains(out, "postgres database is at the newest schema") {
		t.Fatalf("migrate: %s", out)
	}
	s := startServe(t, data, "--config", cfg)
	waitForTrustReport(t, s)
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"trust", "--config", cfg, "--data", data, "--url", s.url, "--http-url", s.httpURL}, &stdout, &stderr)
	report := stdout.String()
	if err != nil {
		t.Fatalf("quire trust on postgres: %v\n%s\n%s", err, report, stderr.String())
	}
	for _, want := range []string{
		"ENC-1   pass", "ENC-2   pass", "TLS-1   pass", "HDR-1   pass", "ISO-1   pass", "AI-5    pass",
		"ACC-1   pass", "ACC-2   pass", "ACC-3   pass", "ACC-4   pass", "ACC-5   pass", "throwaway account was deleted", "DOS-1   pass",
		"row-level security enabled and forced",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("trust report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, "superuser") && strings.Contains(report, "warning") {
		t.Errorf("the application role should not be a superuser:\n%s", report)
	}
}
