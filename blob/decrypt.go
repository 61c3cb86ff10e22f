package blob

import (
	"crypto/cipher"
	"fmt"
	"io"
)

// decryptReader yields the plaintext of the chunks in src. It releases a
// chunk only after it authenticated, and reports an integrity error for a
// stream that ends anywhere but after a chunk sealed as the last one:
// truncation, dropped, reordered or foreign chunks all fail.
type decryptReader struct {
	src   io.ReadCloser
	aead  cipher.AEAD
	ad    []byte
	chunk int

	buf      []byte // one sealed chunk plus the byte read ahead
	carry    byte
	hasCarry bool
	out      []byte // plaintext not yet returned
	counter  uint64
	done     bool
	err      error // sticky
	nonce    [nonceSize]byte
}

func newDecryptReader(src io.ReadCloser, aead cipher.AEAD, ad []byte, chunk int) *decryptReader {
	return &decryptReader{src: src, aead: aead, ad: ad, chunk: chunk, buf: make([]byte, chunk+tagSize+1)}
}

// Read implements io.Reader.
func (d *decryptReader) Read(p []byte) (int, error) {
	for len(d.out) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		if d.done {
			return 0, io.EOF
		}
		d.err = d.next()
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	return n, nil
}

// Close closes the underlying object.
func (d *decryptReader) Close() error { return d.src.Close() }

// next reads one sealed chunk and one byte beyond it, and opens the chunk
// as the last one exactly when nothing followed it.
func (d *decryptReader) next() error {
	have := 0
	if d.hasCarry {
		d.buf[0], have = d.carry, 1
	}
	seg := d.chunk + tagSize
	n, err := io.ReadFull(d.src, d.buf[have:seg+1])
	n += have
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return err
	}
	last := n <= seg
	if !last {
		d.carry, d.hasCarry, n = d.buf[seg], true, seg
	}
	if n < tagSize {
		return corrupt("truncated chunk")
	}
	chunkNonce(&d.nonce, d.counter, last)
	pt, err := d.aead.Open(d.buf[:0], d.nonce[:], d.buf[:n], d.ad)
	if err != nil {
		return corrupt(fmt.Sprintf("chunk %d failed authentication", d.counter))
	}
	d.out, d.counter, d.done = pt, d.counter+1, last
	return nil
}
