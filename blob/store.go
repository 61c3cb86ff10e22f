package blob

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// Options tune a Store. Zero values take the defaults.
type Options struct {
	// ChunkSize is the plaintext size of each encrypted chunk, between
	// 4 KiB and 1 MiB. Default DefaultChunkSize (64 KiB). Blobs record
	// their chunk size, so changing it leaves existing blobs readable.
	ChunkSize int
}

// Store is the encrypted file store the application uses: it encrypts
// blobs with per-blob keys wrapped by the workspace's barrier key and keeps
// them in a Backend. It is safe for concurrent use.
type Store struct {
	barrier *barrier.Barrier
	backend Backend
	chunk   int
}

// New returns a Store over backend whose file keys are wrapped by b.
func New(b *barrier.Barrier, backend Backend, opts Options) (*Store, error) {
	if opts.ChunkSize == 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	if opts.ChunkSize < minChunkSize || opts.ChunkSize > maxChunkSize {
		return nil, quire.Errorf(quire.EINVALID, "Blob chunk size must be between %d and %d bytes.", minChunkSize, maxChunkSize)
	}
	if b == nil || backend == nil {
		return nil, quire.Errorf(quire.EINVALID, "Blob store needs a barrier and a backend.")
	}
	return &Store{barrier: b, backend: backend, chunk: opts.ChunkSize}, nil
}

// Put encrypts what r yields and stores it as the blob blobID of
// workspaceID, replacing any blob there, and returns its plaintext size.
// More than maxSize bytes fail with ETOOLARGE and nothing is stored; so
// does any other failure, including an error from r.
func (s *Store) Put(ctx context.Context, workspaceID, blobID string, r io.Reader, maxSize int64) (int64, error) {
	key, err := Key(workspaceID, blobID)
	if err != nil {
		return 0, err
	}
	if maxSize < 0 {
		return 0, quire.Errorf(quire.EINVALID, "Maximum file size must not be negative.")
	}
	fileKey := make([]byte, fileKeySize)
	_, _ = rand.Read(fileKey) // crypto/rand.Read never fails on supported platforms.
	defer clear(fileKey)
	wrapped, err := s.barrier.Encrypt(ctx, barrier.WorkspaceScope(workspaceID), keyAD(workspaceID, blobID), fileKey)
	if err != nil {
		return 0, fmt.Errorf("blob: wrap file key: %w", err)
	}
	aead, err := newAEAD(fileKey)
	if err != nil {
		return 0, err
	}
	hdr := encodeHeader(s.chunk, wrapped)
	enc := newEncryptReader(r, aead, hdr, chunkAD(workspaceID, blobID, hdr), s.chunk, maxSize)
	err = s.backend.Put(ctx, key, enc)
	size, complete, srcErr := enc.result()
	if err == nil && !complete {
		err = errors.New("backend stored an incomplete stream")
	}
	if err != nil {
		if srcErr != nil { // the source's own error explains best
			err = srcErr
		}
		return 0, fmt.Errorf("blob: put: %w", err)
	}
	return size, nil
}

// Open returns a reader of the plaintext of a blob and its size. The reader
// decrypts as it goes, in constant memory; it fails with an EINTERNAL
// integrity error at the first chunk that does not authenticate, so a
// caller that streams the plaintext out must abort, not finish, its
// response on a read error. A blob of a shredded workspace is ENOTFOUND.
func (s *Store) Open(ctx context.Context, workspaceID, blobID string) (io.ReadCloser, int64, error) {
	key, err := Key(workspaceID, blobID)
	if err != nil {
		return nil, 0, err
	}
	rc, total, err := s.backend.Get(ctx, key)
	if err != nil {
		return nil, 0, err
	}
	d, size, err := s.openStream(ctx, workspaceID, blobID, rc, total)
	if err != nil {
		_ = rc.Close()
		return nil, 0, err
	}
	return d, size, nil
}

// openStream reads the header of a stored blob of total bytes, unwraps its
// file key and returns the decrypting reader and the plaintext size.
func (s *Store) openStream(ctx context.Context, ws, id string, rc io.ReadCloser, total int64) (io.ReadCloser, int64, error) {
	h, err := readHeader(rc)
	if err != nil {
		return nil, 0, err
	}
	size, err := plainSize(total-int64(len(h.raw)), h.chunkSize)
	if err != nil {
		return nil, 0, err
	}
	fileKey, err := s.barrier.Decrypt(ctx, barrier.WorkspaceScope(ws), keyAD(ws, id), h.wrapped)
	if errors.Is(err, barrier.ErrNoKey) {
		return nil, 0, quire.WrapError(quire.ENOTFOUND, "File not found.", err)
	} else if err != nil {
		return nil, 0, quire.WrapError(quire.EINTERNAL, "Stored file failed its integrity check.", err)
	}
	defer clear(fileKey)
	aead, err := newAEAD(fileKey)
	if err != nil {
		return nil, 0, corrupt("file key has the wrong size")
	}
	return newDecryptReader(rc, aead, chunkAD(ws, id, h.raw), h.chunkSize), size, nil
}

// Delete removes a blob; removing a missing blob is not an error.
func (s *Store) Delete(ctx context.Context, workspaceID, blobID string) error {
	key, err := Key(workspaceID, blobID)
	if err != nil {
		return err
	}
	return s.backend.Delete(ctx, key)
}

// DeleteWorkspace removes every blob of a workspace. Shredding the
// workspace's barrier scope first makes them unreadable at once with the
// live key store (a backup of the database made before keeps its own copy
// of the keys); this then reclaims the space.
func (s *Store) DeleteWorkspace(ctx context.Context, workspaceID string) error {
	if !quire.ValidID(workspaceID) {
		return quire.Errorf(quire.EINVALID, "Workspace ID is not a valid identifier.")
	}
	return s.backend.DeletePrefix(ctx, workspaceID+"/")
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("blob: cipher: %w", err)
	}
	return cipher.NewGCM(block)
}
