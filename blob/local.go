package blob

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/quirehq/quire"
)

// tmpPrefix starts the names of files being written. It cannot start a
// valid ID, so List and Get never mistake one for an object.
const tmpPrefix = ".tmp-"

// LocalOptions configure a Local backend.
type LocalOptions struct {
	// Dir is the directory that holds every blob; it is created (0700)
	// if it does not exist.
	Dir string
}

// Local stores blobs as files under one directory, one subdirectory per
// workspace. All access goes through an os.Root, so no key can reach
// outside the directory, and keys are validated before that.
type Local struct {
	root *os.Root
}

var _ Backend = (*Local)(nil)

// NewLocal opens (creating if needed) the blob directory of opts.
func NewLocal(opts LocalOptions) (*Local, error) {
	if opts.Dir == "" {
		return nil, quire.Errorf(quire.EINVALID, "Blob directory is not set.")
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("blob: create directory: %w", err)
	}
	root, err := os.OpenRoot(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("blob: open directory: %w", err)
	}
	return &Local{root: root}, nil
}

// Close releases the directory.
func (l *Local) Close() error { return l.root.Close() }

// Put writes r to a temporary file next to the destination, syncs it,
// renames it into place and syncs the directory.
func (l *Local) Put(ctx context.Context, key string, r io.Reader) error {
	ws, _, err := splitKey(key)
	if err != nil {
		return err
	}
	if err := l.ensureDir(ws); err != nil {
		return err
	}
	tmp := ws + "/" + tmpPrefix + rand.Text()
	f, err := l.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("blob: create temporary file: %w", err)
	}
	if err := writeAndSync(f, ctxReader{ctx, r}); err != nil {
		_ = l.root.Remove(tmp)
		return err
	}
	if err := ctx.Err(); err != nil {
		_ = l.root.Remove(tmp)
		return err
	}
	if err := l.root.Rename(tmp, key); err != nil {
		_ = l.root.Remove(tmp)
		return fmt.Errorf("blob: rename into place: %w", err)
	}
	return l.syncDir(ws)
}

// writeAndSync copies r into f, syncs and closes f.
func writeAndSync(f *os.File, r io.Reader) error {
	_, err := io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ensureDir creates a workspace directory, syncing the root so that the
// new entry survives a crash.
func (l *Local) ensureDir(ws string) error {
	err := l.root.Mkdir(ws, 0o700)
	if errors.Is(err, fs.ErrExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("blob: create workspace directory: %w", err)
	}
	return l.syncDir(".")
}

func (l *Local) syncDir(name string) error {
	d, err := l.root.Open(name)
	if err != nil {
		return fmt.Errorf("blob: open directory: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("blob: sync directory: %w", err)
	}
	return nil
}

// Get opens the file of key.
func (l *Local) Get(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	if _, _, err := splitKey(key); err != nil {
		return nil, 0, err
	}
	f, err := l.root.Open(key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, notFound()
	} else if err != nil {
		return nil, 0, fmt.Errorf("blob: open: %w", err)
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, 0, quire.WrapError(quire.EINTERNAL, "Stored file is not readable.", err)
	}
	return f, fi.Size(), nil
}

// Delete removes the file of key, if any.
func (l *Local) Delete(ctx context.Context, key string) error {
	if _, _, err := splitKey(key); err != nil {
		return err
	}
	if err := l.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete: %w", err)
	}
	return nil
}

// DeletePrefix removes a workspace's directory with everything in it,
// including temporary files of Puts in progress.
func (l *Local) DeletePrefix(ctx context.Context, prefix string) error {
	ws, err := parsePrefix(prefix, false)
	if err != nil {
		return err
	}
	if err := l.root.RemoveAll(ws); err != nil {
		return fmt.Errorf("blob: delete workspace: %w", err)
	}
	return l.syncDir(".")
}
