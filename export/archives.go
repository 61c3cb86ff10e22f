package export

import (
	"context"
	"io"
	"strings"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/blob"
)

// Archives keeps the ready archives in an encrypted blob store of their
// own (a backend apart from the workspaces' files, so that the file sweep
// never sees them). Each archive is stored under "<exportID>/<exportID>",
// its file key wrapped by a data key of the export's own barrier scope:
// deleting an archive shreds that key first, so a copy of the stored bytes
// left anywhere (a backup, a disk block) decrypts no more.
type Archives struct {
	store   *blob.Store
	backend blob.Backend
	shred   func(ctx context.Context, scope barrier.Scope) error
}

// NewArchives returns the archive store over backend, with keys from b.
func NewArchives(b *barrier.Barrier, backend blob.Backend) (*Archives, error) {
	st, err := blob.New(b, backend, blob.Options{})
	if err != nil {
		return nil, err
	}
	return &Archives{store: st, backend: backend, shred: b.Shred}, nil
}

// put stores what r yields as the archive of export id.
func (a *Archives) put(ctx context.Context, id string, r io.Reader) (int64, error) {
	return a.store.Put(ctx, id, id, r, 1<<62)
}

// open returns a reader of the archive of export id, decrypting as it
// goes, and its size.
func (a *Archives) open(ctx context.Context, id string) (io.ReadCloser, int64, error) {
	return a.store.Open(ctx, id, id)
}

// remove shreds the key of the archive of export id, then deletes its
// bytes. Removing a missing archive is not an error.
func (a *Archives) remove(ctx context.Context, id string) error {
	if !quire.ValidID(id) {
		return quire.Errorf(quire.EINVALID, "Export ID is not a valid identifier.")
	}
	if err := a.shred(ctx, barrier.WorkspaceScope(id)); err != nil {
		return err
	}
	return a.store.DeleteWorkspace(ctx, id)
}

// discard deletes the bytes of the archive of export id without shredding
// its key: the archive of an export another instance took over, whose
// own archive that key seals.
func (a *Archives) discard(ctx context.Context, id string) error {
	if !quire.ValidID(id) {
		return quire.Errorf(quire.EINVALID, "Export ID is not a valid identifier.")
	}
	return a.store.DeleteWorkspace(ctx, id)
}

// rewrap replaces the archive of export id by its own plaintext under a
// new file key, wrapped by its scope's newest data key. An archive gone
// meanwhile is skipped.
func (a *Archives) rewrap(ctx context.Context, id string) error {
	rc, size, err := a.store.Open(ctx, id, id)
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	defer rc.Close()
	n, err := a.store.Put(ctx, id, id, rc, size)
	if err == nil && n != size {
		err = quire.Errorf(quire.EINTERNAL, "A stored export changed size while it was re-encrypted.")
	}
	return err
}

// ids lists the exports that have an archive stored (complete or not).
func (a *Archives) ids(ctx context.Context) ([]string, error) {
	keys, err := a.backend.List(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		id, _, _ := strings.Cut(k, "/")
		if len(out) == 0 || out[len(out)-1] != id {
			out = append(out, id)
		}
	}
	return out, nil
}
