package gateway

import (
	"bytes"
	"io"
	"sync"
)

// maxPooledBuffer is the largest buffer returned to the pool; a buffer that
// grew for one huge request is dropped rather than held forever.
const maxPooledBuffer = 1 << 20

var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// GetBuffer returns an empty buffer from the pool.
func GetBuffer() *bytes.Buffer {
	b := bufferPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// PutBuffer returns b to the pool. b must not be used afterwards. Buffers
// are cleared before reuse by GetBuffer; large ones are dropped.
func PutBuffer(b *bytes.Buffer) {
	if b == nil || b.Cap() > maxPooledBuffer {
		return
	}
	bufferPool.Put(b)
}

// BufferBody is a request body over a pooled buffer. It returns the buffer
// to the pool on Close. Read and Close are serialised by a mutex: the HTTP
// transport may close a body while another goroutine is still reading it,
// and a buffer back in the pool must never be read again, or one request's
// bytes could be sent with another's.
type BufferBody struct {
	mu  sync.Mutex
	buf *bytes.Buffer
	off int
}

// NewBufferBody takes ownership of b.
func NewBufferBody(b *bytes.Buffer) *BufferBody { return &BufferBody{buf: b} }

// Len is the number of bytes not yet read.
func (r *BufferBody) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.buf == nil {
		return 0
	}
	return r.buf.Len() - r.off
}

// Read implements io.Reader.
func (r *BufferBody) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.buf == nil {
		return 0, io.ErrClosedPipe
	}
	if r.off >= r.buf.Len() {
		return 0, io.EOF
	}
	n := copy(p, r.buf.Bytes()[r.off:])
	r.off += n
	return n, nil
}

// Close returns the buffer to the pool; later Reads fail.
func (r *BufferBody) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.buf != nil {
		PutBuffer(r.buf)
		r.buf = nil
	}
	return nil
}
