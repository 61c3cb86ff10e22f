package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	t.Setenv(EnvRootKey, "")
	dir := t.TempDir()
	good := filepath.Join(dir, "quire.yaml")
	if err := os.WriteFile(good, []byte("mode: development\nlogs:\n  level: debug\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("logs:\n  levle: debug\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte(strings.Repeat("#", maxFileSize+1)), 0o600); err != nil {
		t.Fatal(err)
	}

	if c, err := Load(""); err != nil || c.Mode != ModeDevelopment {
		t.Errorf(`Load("") = %+v, %v`, c, err)
	}
	if c, err := Load(good); err != nil || c.Logs.Level != "debug" {
		t.Errorf("Load(good) = %+v, %v", c, err)
	}
	_, err := Load(bad)
	equalLines(t, errorLines(err), []string{bad + `:2: logs.levle: unknown key; did you mean "level"?`})
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("Load(big) = %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("Load(missing) = %v, want a wrapped not-exist error", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}
