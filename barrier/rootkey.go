package barrier

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// RootKeySize is the length of the root key in bytes (AES-256).
const RootKeySize = 32

// A RootKeySource yields the root key that unseals the keyring. Sources are
// an interface so that a KMS (which would unwrap rather than return a key) can
// be added without touching the barrier.
type RootKeySource interface {
	// Name describes the source for logs and `quire keys status`; it never
	// contains key material.
	Name() string
	// RootKey returns the 32-byte root key.
	RootKey(ctx context.Context) ([]byte, error)
}

// ErrRootKeyMissing is returned by FileSource when the key file does not exist.
var ErrRootKeyMissing = errors.New("root key not found")

// FileSource reads a base64-encoded root key from a file that only its owner
// may read.
type FileSource struct{ Path string }

// Name implements RootKeySource.
func (s FileSource) Name() string { return "file " + s.Path }

// RootKey implements RootKeySource. The file is opened once and its mode
// is checked on the open file, so that it cannot be swapped between the
// check and the read. (A symbolic link is followed, as secret mounts use
// them; the mode checked is the target's.)
func (s FileSource) RootKey(context.Context) ([]byte, error) {
	f, err := os.Open(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("root key file %s: %w", s.Path, ErrRootKeyMissing)
	} else if err != nil {
		return nil, fmt.Errorf("root key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("root key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("root key file %s is not a regular file", s.Path)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("root key file %s is readable by group or others (mode %v): run chmod 600 %s", s.Path, fi.Mode().Perm(), s.Path)
	}
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, fmt.Errorf("root key file: %w", err)
	}
	key, err := ParseRootKey(string(b))
	clear(b)
	if err != nil {
		return nil, fmt.Errorf("root key file %s: %w", s.Path, err)
	}
	return key, nil
}

// EnvSource reads a base64-encoded root key from an environment variable.
type EnvSource struct{ Var string }

// Name implements RootKeySource.
func (s EnvSource) Name() string { return "environment variable " + s.Var }

// RootKey implements RootKeySource.
func (s EnvSource) RootKey(context.Context) ([]byte, error) {
	v, ok := os.LookupEnv(s.Var)
	if !ok || v == "" {
		return nil, fmt.Errorf("environment variable %s: %w", s.Var, ErrRootKeyMissing)
	}
	key, err := ParseRootKey(v)
	if err != nil {
		return nil, fmt.Errorf("environment variable %s: %w", s.Var, err)
	}
	return key, nil
}

// StaticSource returns a fixed key; it is meant for tests and for keys that
// another system already unwrapped.
type StaticSource []byte

// Name implements RootKeySource.
func (StaticSource) Name() string { return "static key" }

// RootKey implements RootKeySource.
func (s StaticSource) RootKey(context.Context) ([]byte, error) {
	if len(s) != RootKeySize {
		return nil, fmt.Errorf("static root key is %d bytes, want %d", len(s), RootKeySize)
	}
	return append([]byte(nil), s...), nil
}

// ParseRootKey decodes a root key written by EncodeRootKey: standard base64 of
// 32 bytes, surrounding white space ignored.
func ParseRootKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, errors.New("root key is not valid base64 (expected 44 characters, as written by quire)")
	}
	if len(key) != RootKeySize {
		return nil, fmt.Errorf("root key decodes to %d bytes, want %d", len(key), RootKeySize)
	}
	return key, nil
}

// EncodeRootKey encodes a root key for a file or an environment variable.
func EncodeRootKey(key []byte) string { return base64.StdEncoding.EncodeToString(key) }

// CreateRootKeyFile writes a new random root key to path with mode 0600. It
// refuses to overwrite an existing file, since that would make every value
// encrypted under the old key unreadable.
func CreateRootKeyFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("root key directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create root key file: %w", err)
	}
	key := randomKey()
	if _, err := f.WriteString(EncodeRootKey(key) + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("write root key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("sync root key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close root key file: %w", err)
	}
	// Sync the directory too, so that the new entry survives a power loss:
	// otherwise the keyring could be durable while its root key is not.
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("sync root key directory: %w", err)
	}
	defer dir.Close()
	if err := dir.Sync(); err != nil {
		return fmt.Errorf("sync root key directory: %w", err)
	}
	return nil
}
