package sqlite

import (
	"errors"
	"os"
	"sync"
)

// keptFiles holds read-only handles on the database files for ScanRaw.
// They are closed only by DB.Close, after every connection: closing any
// descriptor of a file drops every POSIX lock this process holds on it,
// SQLite's among them, and another process could then write under a live
// connection (lost writes, a deleted write-ahead log).
type keptFiles struct {
	mu sync.Mutex
	// files holds, per path, every handle opened; the newest is last.
	// Older ones point at files since replaced, and are kept too.
	files map[string][]*os.File
}

// open returns a handle on the file now at path, reusing the kept one when
// it is still that file.
func (k *keptFiles) open(path string) (*os.File, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fs := k.files[path]; len(fs) > 0 {
		last := fs[len(fs)-1]
		if fi, err := last.Stat(); err == nil && os.SameFile(fi, now) {
			return last, nil
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if k.files == nil {
		k.files = map[string][]*os.File{}
	}
	k.files[path] = append(k.files[path], f)
	return f, nil
}

// close closes every handle; call it only once SQLite holds no locks.
func (k *keptFiles) close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	var errs []error
	for _, fs := range k.files {
		for _, f := range fs {
			errs = append(errs, f.Close())
		}
	}
	k.files = nil
	return errors.Join(errs...)
}
