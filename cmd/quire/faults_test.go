package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quirehq/quire/barrier"
)

// Each fault must stop quire with an error that names the problem, never a
// panic, and never silently create something that would orphan data.
func TestStartupFaults(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := ln.Addr().String()
	ln.Close()

	otherKey := barrier.EncodeRootKey(bytes.Repeat([]byte{9}, 32))
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, data string) []string // returns extra args
		want  string
	}{
		{"wrong root key", func(t *testing.T, data string) []string {
			seedNotes(t, data, 1)
			t.Setenv("QUIRE_ROOT_KEY", otherKey)
			return nil
		}, "root key does not match this data store"},
		{"missing root key", func(t *testing.T, data string) []string {
			seedNotes(t, data, 1)
			os.Remove(filepath.Join(data, "root.key"))
			return nil
		}, "is missing but the database already holds encrypted data"},
		{"corrupt root key", func(t *testing.T, data string) []string {
			seedNotes(t, data, 1)
			os.WriteFile(filepath.Join(data, "root.key"), []byte("this is not a key\n"), 0o600)
			return nil
		}, "root key is not valid base64"},
		{"truncated root key", func(t *testing.T, data string) []string {
			seedNotes(t, data, 1)
			os.WriteFile(filepath.Join(data, "root.key"), []byte(barrier.EncodeRootKey(make([]byte, 16))), 0o600)
			return nil
		}, "root key decodes to 16 bytes, want 32"},
		{"data directory open to others", func(t *testing.T, data string) []string {
			os.MkdirAll(data, 0o755)
			os.Chmod(data, 0o755)
			return nil
		}, "is open to group or others (mode -rwxr-xr-x): run chmod 700"},
		{"corrupt database", func(t *testing.T, data string) []string {
			os.MkdirAll(data, 0o700)
			os.WriteFile(filepath.Join(data, "quire.db"), bytes.Repeat([]byte("garbage!"), 1000), 0o600)
			return nil
		}, "quire.db"},
		{"unknown config key", func(t *testing.T, data string) []string {
			cfg := filepath.Join(t.TempDir(), "quire.yaml")
			os.WriteFile(cfg, []byte("server:\n  adress: 127.0.0.1:9\n"), 0o600)
			return []string{"--config", cfg}
		}, "server.adress"},
		{"bad config value", func(t *testing.T, data string) []string {
			cfg := filepath.Join(t.TempDir(), "quire.yaml")
			os.WriteFile(cfg, []byte("mode: staging\n"), 0o600)
			return []string{"--config", cfg}
		}, "mode"},
		{"unreachable database", func(t *testing.T, data string) []string {
			cfg := filepath.Join(t.TempDir(), "quire.yaml")
			os.WriteFile(cfg, []byte("database:\n  driver: postgres\n  url: postgres://quire@"+closedPort+"/quire?sslmode=disable\n"), 0o600)
			return []string{"--config", cfg}
		}, "database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			extra := tc.setup(t, data)
			var stdout, stderr bytes.Buffer
			args := append([]string{"keys", "status", "--data", data}, extra...)
			err := run(context.Background(), args, &stdout, &stderr)
			if err == nil {
				t.Fatalf("quire keys status succeeded; stdout:\n%s", stdout.String())
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not name %q", err, tc.want)
			}
			t.Logf("error: %v", err)
			if fi, err := os.Stat(data); err == nil && tc.name == "data directory open to others" && fi.Mode().Perm() != 0o755 {
				t.Errorf("the existing data directory was changed to %v", fi.Mode().Perm())
			}
			if strings.Contains(err.Error(), otherKey) || strings.Contains(stderr.String(), "NEW ROOT KEY") {
				t.Fatalf("error leaks the key or a new key was made: %v\n%s", err, stderr.String())
			}
		})
	}
}
