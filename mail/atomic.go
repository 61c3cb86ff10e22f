package mail

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ensurePrivateDir creates dir with mode 0700, and narrows an existing dir
// to 0700: the outbox holds live sign-in links.
func ensurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("mail: create outbox: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("mail: restrict outbox: %w", err)
	}
	return nil
}

// writeAtomic writes a new file dir/name with mode 0600 by calling write on
// a temporary file in dir, syncing it and renaming it into place, so that a
// reader never sees a partial file. On any error the temporary file is
// removed and nothing named name is created.
func writeAtomic(dir, name string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(dir, ".tmp-*.eml") // CreateTemp uses mode 0600
	if err != nil {
		return fmt.Errorf("mail: create temporary file: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			err = errors.Join(err, removeIfExists(tmp))
		}
	}()
	if err := write(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("mail: write message: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("mail: sync message: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("mail: close message: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("mail: rename message: %w", err)
	}
	return nil
}

// removeIfExists removes path, ignoring a file that is already gone.
func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("mail: remove temporary file: %w", err)
	}
	return nil
}
