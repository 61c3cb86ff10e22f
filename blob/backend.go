package blob

import (
	"context"
	"io"
	"strings"

	"github.com/quirehq/quire"
)

// Backend stores raw, already encrypted objects under keys of the form
// "<workspaceID>/<blobID>". Implementations are safe for concurrent use.
type Backend interface {
	// Put stores everything r yields under key, replacing any object there.
	// It is atomic: readers see the old object or the whole new one, and a
	// Put that fails or is cancelled (including by an error from r) leaves
	// nothing behind.
	Put(ctx context.Context, key string, r io.Reader) error
	// Get opens the object at key and returns its size in bytes. A missing
	// object is an ENOTFOUND error. The caller closes the reader.
	Get(ctx context.Context, key string) (io.ReadCloser, int64, error)
	// Delete removes the object at key. Deleting a missing object is not
	// an error.
	Delete(ctx context.Context, key string) error
	// DeletePrefix removes every object of one workspace; prefix is
	// "<workspaceID>/".
	DeletePrefix(ctx context.Context, prefix string) error
	// List returns the sorted keys of the complete objects under prefix,
	// which is "" (everything) or "<workspaceID>/". It is meant for tests,
	// scans and audits, not for request paths.
	List(ctx context.Context, prefix string) ([]string, error)
}

// Key returns the backend key of a blob, or an EINVALID error if either
// identifier is not one that quire.NewID makes.
func Key(workspaceID, blobID string) (string, error) {
	if !quire.ValidID(workspaceID) {
		return "", quire.Errorf(quire.EINVALID, "Workspace ID is not a valid identifier.")
	}
	if !quire.ValidID(blobID) {
		return "", quire.Errorf(quire.EINVALID, "File ID is not a valid identifier.")
	}
	return workspaceID + "/" + blobID, nil
}

// splitKey checks that key is "<workspaceID>/<blobID>" and returns its parts.
// Anything else (absolute paths, "..", more or fewer parts, NUL) is refused.
func splitKey(key string) (ws, id string, err error) {
	ws, id, ok := strings.Cut(key, "/")
	if !ok || !quire.ValidID(ws) || !quire.ValidID(id) {
		return "", "", quire.Errorf(quire.EINVALID, "Blob key must be a workspace ID and a file ID separated by a slash.")
	}
	return ws, id, nil
}

// parsePrefix checks a List or DeletePrefix prefix and returns its workspace
// ID, "" for the empty prefix when empty is allowed.
func parsePrefix(prefix string, allowEmpty bool) (string, error) {
	if prefix == "" && allowEmpty {
		return "", nil
	}
	ws, ok := strings.CutSuffix(prefix, "/")
	if !ok || !quire.ValidID(ws) {
		return "", quire.Errorf(quire.EINVALID, "Blob prefix must be a workspace ID followed by a slash.")
	}
	return ws, nil
}

// notFound is the error every backend returns for a missing object.
func notFound() error { return quire.Errorf(quire.ENOTFOUND, "File not found.") }

// ctxReader fails reads once ctx is done, so that a cancelled Put stops
// between reads even when the source itself never looks at ctx.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
