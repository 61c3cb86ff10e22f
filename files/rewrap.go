package files

import (
	"context"
	"fmt"
	"strings"

	"github.com/quirehq/quire"
)

// Rewrap re-encrypts every stored blob under a new file key, wrapped by
// its workspace's newest data key, so that barrier.Retire can then delete
// the older data-key versions without making files unreadable. Run it
// with the store's Rewrap, between barrier.PlanRetire and Retire.
//
// The blob store does not tell under which data-key version a blob's file
// key is wrapped, so every blob is rewritten, whatever its version: a run
// costs a read and a write of every file. Each blob is replaced atomically
// (readers see the old blob or the new one), so Rewrap can run beside live
// traffic; a file deleted meanwhile may leave its blob behind, which Sweep
// removes. A blob that cannot be re-encrypted (it fails its integrity
// check, the backend fails) is left as it is and logged; the others are
// done, and the error says how many failed. progress, if not nil, is
// called after each blob.
func (s *Service) Rewrap(ctx context.Context, progress func(done, total int)) error {
	keys, err := s.cfg.Backend.List(ctx, "")
	if err != nil {
		return err
	}
	failed := 0
	for i, key := range keys {
		ws, id, _ := strings.Cut(key, "/")
		err := s.rewrapBlob(ctx, ws, id)
		if ctx.Err() != nil {
			return ctx.Err()
		} else if err != nil {
			failed++
			s.cfg.Logger.ErrorContext(ctx, "files: blob could not be re-encrypted", "workspace_id", ws, "file_id", id, "error", err)
		}
		if progress != nil {
			progress(i+1, len(keys))
		}
	}
	if failed > 0 {
		return quire.Errorf(quire.EINTERNAL, "%d stored files could not be re-encrypted; the log names them.", failed)
	}
	return nil
}

// rewrapBlob replaces one blob by its own plaintext under a new file key.
// A blob gone meanwhile, or of a shredded workspace, is skipped.
func (s *Service) rewrapBlob(ctx context.Context, ws, id string) error {
	rc, size, err := s.cfg.Blobs.Open(ctx, ws, id)
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	defer rc.Close()
	n, err := s.cfg.Blobs.Put(ctx, ws, id, rc, size)
	if err != nil {
		return err
	}
	if n != size {
		return quire.WrapError(quire.EINTERNAL, "Stored file changed size while it was re-encrypted.", fmt.Errorf("files: rewrap %s/%s: %d bytes, want %d", ws, id, n, size))
	}
	return nil
}
