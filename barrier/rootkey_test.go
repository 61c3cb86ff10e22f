package barrier

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRootKeyFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keys", "root.key")
	if _, err := (FileSource{path}).RootKey(ctx); !errors.Is(err, ErrRootKeyMissing) {
		t.Fatalf("missing file: %v", err)
	}
	if err := CreateRootKeyFile(path); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
	}
	k1, err := (FileSource{path}).RootKey(ctx)
	if err != nil || len(k1) != RootKeySize {
		t.Fatalf("RootKey = %d bytes, %v", len(k1), err)
	}
	if err := CreateRootKeyFile(path); err == nil {
		t.Fatal("CreateRootKeyFile overwrote an existing key")
	}
	link := filepath.Join(filepath.Dir(path), "link.key")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	if k, err := (FileSource{link}).RootKey(ctx); err != nil || string(k) != string(k1) {
		t.Fatalf("key through a symbolic link (as secret mounts use): %v", err)
	}
	if _, err := (FileSource{filepath.Dir(path)}).RootKey(ctx); err == nil {
		t.Fatal("a directory was accepted as the key file")
	}
	os.Chmod(path, 0o644)
	if _, err := (FileSource{path}).RootKey(ctx); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key accepted: %v", err)
	}
}

func TestParseRootKey(t *testing.T) {
	good := EncodeRootKey(make([]byte, 32))
	for in, ok := range map[string]bool{
		good:                               true,
		"  " + good + "\n":                 true,
		"":                                 false,
		"not base64!":                      false,
		EncodeRootKey(make([]byte, 16)):    false,
		good[:len(good)-4]:                 false,
		EncodeRootKey(make([]byte, 33))[:]: false,
	} {
		_, err := ParseRootKey(in)
		if (err == nil) != ok {
			t.Errorf("ParseRootKey(%q) err = %v, want ok=%v", in, err, ok)
		}
		if err != nil && strings.Contains(err.Error(), in) && in != "" {
			t.Errorf("error echoes the key material: %v", err)
		}
	}
}

func TestEnvSource(t *testing.T) {
	t.Setenv("QUIRE_TEST_ROOT", EncodeRootKey(make([]byte, 32)))
	if _, err := (EnvSource{"QUIRE_TEST_ROOT"}).RootKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Setenv("QUIRE_TEST_ROOT", "short")
	if _, err := (EnvSource{"QUIRE_TEST_ROOT"}).RootKey(context.Background()); err == nil {
		t.Fatal("bad key accepted")
	}
	if _, err := (EnvSource{"QUIRE_TEST_UNSET_VAR"}).RootKey(context.Background()); !errors.Is(err, ErrRootKeyMissing) {
		t.Fatalf("unset: %v", err)
	}
}
