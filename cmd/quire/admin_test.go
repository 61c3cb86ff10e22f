package main

import (
	"bytes"
	"context"
	"database/sql"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	_ "modernc.org/sqlite"
)

// lockedAccount signs up an account in data and locks it with wrong
// passwords, as quire serve would.
func lockedAccount(t *testing.T, data, email string) {
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
	if _, _, err := svc.SignUp(ctx, email, "a long admin test passphrase", auth.Client{}); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		_, _ = svc.Login(ctx, email, "wrong password!", auth.Client{})
	}
	if _, err := svc.Login(ctx, email, "a long admin test passphrase", auth.Client{}); quire.ErrorCode(err) != quire.ELOCKED {
		t.Fatalf("the account is not locked: %v", err)
	}
}

func TestAdminUnlockAndAuditVerify(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	lockedAccount(t, data, "locked@example.com")
	if out := runOK(t, "admin", "unlock", "LOCKED@example.com", "--data", data); !strings.Contains(out, "Unlocked") {
		t.Fatalf("unlock: %s", out)
	}
	ctx := context.Background()
	a, err := openApp(ctx, mustConfig(t, data), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := newAuth(a, cliLogger(&bytes.Buffer{}), func() string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Login(ctx, "locked@example.com", "a long admin test passphrase", auth.Client{}); err != nil {
		t.Fatalf("login after quire admin unlock: %v", err)
	}
	a.Close()

	out := runOK(t, "admin", "audit", "verify", "--data", data)
	if !strings.Contains(out, "The audit log verifies") {
		t.Fatalf("audit verify: %s", out)
	}
	db, err := sql.Open("sqlite", filepath.Join(data, "quire.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE audit_log SET event = 'login_success' WHERE seq = 3"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var stdout, stderr bytes.Buffer
	err = run(ctx, []string{"admin", "audit", "verify", "--data", data}, &stdout, &stderr)
	if code, ok := err.(exitCode); !ok || code != 1 || !strings.Contains(stdout.String(), "does NOT verify") {
		t.Fatalf("a tampered audit log: err %v, output %q", err, stdout.String())
	}
}

func TestAdminUsage(t *testing.T) {
	for _, args := range [][]string{{"admin"}, {"admin", "unlock"}, {"admin", "audit"}, {"admin", "frobnicate", "x"}} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, &stdout, &stderr)
		if code, ok := err.(exitCode); !ok || code != 2 || !strings.Contains(stderr.String(), "quire admin unlock EMAIL") {
			t.Errorf("quire %v: err %v, stderr %q", args, err, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	empty := filepath.Join(t.TempDir(), "d")
	err := run(context.Background(), []string{"admin", "unlock", "a@example.com", "--data", empty}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "no Quire database") {
		t.Errorf("admin on a directory without a deployment: %v", err)
	}
	if _, statErr := os.Stat(empty); !os.IsNotExist(statErr) {
		t.Errorf("admin created a deployment in %s", empty)
	}
	data := filepath.Join(t.TempDir(), "data")
	lockedAccount(t, data, "someone@example.com")
	err = run(context.Background(), []string{"admin", "unlock", "not an address", "--data", data}, &stdout, &stderr)
	if quire.ErrorCode(err) != quire.EINVALID {
		t.Errorf("unlock of a malformed address: %v", err)
	}
}

func TestProbeName(t *testing.T) {
	cfg := mustConfig(t, filepath.Join(t.TempDir(), "data"))
	if got := probeName(cfg, "https://127.0.0.1:8443"); got != "" {
		t.Errorf("without a public URL: %q", got)
	}
	cfg.Server.PublicURL = "https://quire.example.com"
	for target, want := range map[string]string{
		"https://127.0.0.1:8443":    "quire.example.com",
		"https://[::1]:8443":        "quire.example.com",
		"https://quire.example.com": "",
		"https://10.0.0.5:8443":     "",
		"https://other.example.org": "",
	} {
		if got := probeName(cfg, target); got != want {
			t.Errorf("probeName(%s) = %q, want %q", target, got, want)
		}
	}
}

func TestProberExempt(t *testing.T) {
	cfg := mustConfig(t, filepath.Join(t.TempDir(), "data"))
	if proberExempt(cfg, "https://127.0.0.1:8443", netip.Addr{}) {
		t.Error("no proxies are trusted, yet the prober is exempt")
	}
	cfg.Server.TrustedProxies = []string{"127.0.0.1"}
	if !proberExempt(cfg, "https://127.0.0.1:8443", netip.Addr{}) {
		t.Error("a loopback prober behind trusted 127.0.0.1 is not reported exempt")
	}
	if proberExempt(cfg, "https://127.0.0.1:8443", netip.MustParseAddr("127.0.0.2")) {
		t.Error("a prober from 127.0.0.2 is reported exempt, though only 127.0.0.1 is trusted")
	}
	if proberExempt(cfg, "https://quire.example.com", netip.Addr{}) {
		t.Error("a probe of a public name is reported exempt")
	}
}

func TestSelfProbeSource(t *testing.T) {
	for target, want := range map[string]string{
		"https://127.0.0.1:8443":    "127.0.0.2",
		"https://127.0.0.2:8443":    "127.0.0.3",
		"https://[::1]:8443":        "invalid IP",
		"https://quire.example.com": "invalid IP",
		"https://10.0.0.5:8443":     "invalid IP",
	} {
		if got := selfProbeSource(target).String(); got != want {
			t.Errorf("selfProbeSource(%s) = %s, want %s", target, got, want)
		}
	}
}
