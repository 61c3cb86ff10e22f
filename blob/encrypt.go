package blob

import (
	"crypto/cipher"
	"io"
	"sync"

	"github.com/quirehq/quire"
)

// encryptReader yields the encrypted form of src: the header, then each
// chunk sealed as soon as it is known whether another follows. It holds one
// chunk in memory whatever the size of src, and fails with ETOOLARGE once
// src yields more than max bytes, before any byte past max is sealed.
type encryptReader struct {
	src   io.Reader
	aead  cipher.AEAD
	ad    []byte
	chunk int
	max   int64

	// mu guards the state: a backend may, like net/http, still read the
	// body from another goroutine after its Put returned.
	mu       sync.Mutex
	buf      []byte // chunk+tag bytes: plaintext in, sealed chunk out
	carry    byte   // the byte read ahead of the current chunk
	hasCarry bool
	out      []byte // bytes not yet returned
	counter  uint64
	total    int64 // plaintext bytes read from src
	done     bool  // the last chunk has been sealed
	err      error // sticky
	nonce    [nonceSize]byte
}

func newEncryptReader(src io.Reader, aead cipher.AEAD, hdr, ad []byte, chunk int, max int64) *encryptReader {
	return &encryptReader{src: src, aead: aead, ad: ad, chunk: chunk, max: max,
		buf: make([]byte, chunk+tagSize), out: hdr}
}

// Read implements io.Reader.
func (e *encryptReader) Read(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for len(e.out) == 0 {
		if e.err != nil {
			return 0, e.err
		}
		if e.done {
			return 0, io.EOF
		}
		e.err = e.next()
	}
	n := copy(p, e.out)
	e.out = e.out[n:]
	return n, nil
}

// next reads one chunk plus one byte ahead and seals the chunk; it is the
// last exactly when nothing followed it.
func (e *encryptReader) next() error {
	have := 0
	if e.hasCarry {
		e.buf[0], have = e.carry, 1
	}
	// Read chunk+1 bytes: the extra byte, if any, proves more follows.
	n, err := io.ReadFull(e.src, e.buf[have:e.chunk+1])
	n += have
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return err
	}
	e.total += int64(n) - int64(have)
	if e.total > e.max {
		return quire.Errorf(quire.ETOOLARGE, "File is larger than the limit of %d bytes.", e.max)
	}
	last := n <= e.chunk
	if !last {
		e.carry, e.hasCarry, n = e.buf[e.chunk], true, e.chunk
	}
	chunkNonce(&e.nonce, e.counter, last)
	e.out = e.aead.Seal(e.buf[:0], e.nonce[:], e.buf[:n], e.ad)
	e.counter++
	e.done = last
	return nil
}

// result returns the number of plaintext bytes read, whether the stream
// was read to its end, and the error that stopped it, if any.
func (e *encryptReader) result() (int64, bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.total, e.done && len(e.out) == 0, e.err
}
