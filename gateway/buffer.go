package gateway

import (
	"bytes"
	"errors"
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

// ErrBodyReleased is returned by RequestBody.Open once the body's buffer
// went back to the pool.
var ErrBodyReleased = errors.New("gateway: request body already released")

// RequestBody is an outbound request body held in a pooled buffer for as
// long as the HTTP transport may need it. Open returns a new reader of the
// whole body each time, as http.Request.GetBody must, so that the
// transport can send the request again on a fresh connection (a stale
// keep-alive connection, an HTTP/2 GOAWAY). The buffer goes back to the
// pool only when the owner has called Release and every reader is closed
// (the transport closes each body it was given), so a buffer in the pool
// is never read again and one request's bytes are never sent with
// another's.
type RequestBody struct {
	mu       sync.Mutex
	buf      *bytes.Buffer
	refs     int // the owner's, until Release, plus one per open reader
	released bool
}

// NewRequestBody takes ownership of b.
func NewRequestBody(b *bytes.Buffer) *RequestBody {
	return &RequestBody{buf: b, refs: 1}
}

// Len is the length of the body, or 0 once its buffer is back in the pool.
func (b *RequestBody) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf == nil {
		return 0
	}
	return b.buf.Len()
}

// Open returns a new reader of the whole body; it has the signature of
// http.Request.GetBody. It fails with ErrBodyReleased once the buffer is
// back in the pool.
func (b *RequestBody) Open() (io.ReadCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf == nil {
		return nil, ErrBodyReleased
	}
	b.refs++
	return &bodyReader{body: b}, nil
}

// Release gives up the owner's hold, once the request has been sent (the
// client's Do has returned). Later calls do nothing.
func (b *RequestBody) Release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.released {
		b.released = true
		b.unref()
	}
}

// unref drops one hold; b.mu is held.
func (b *RequestBody) unref() {
	b.refs--
	if b.refs == 0 {
		PutBuffer(b.buf)
		b.buf = nil
	}
}

// bodyReader is one reader of a RequestBody. Read and Close take the
// body's lock: the transport may close a body while another goroutine is
// still reading it.
type bodyReader struct {
	body   *RequestBody
	off    int
	closed bool
}

// Read implements io.Reader.
func (r *bodyReader) Read(p []byte) (int, error) {
	r.body.mu.Lock()
	defer r.body.mu.Unlock()
	if r.closed {
		return 0, io.ErrClosedPipe
	}
	data := r.body.buf.Bytes()
	if r.off >= len(data) {
		return 0, io.EOF
	}
	n := copy(p, data[r.off:])
	r.off += n
	return n, nil
}

// Close gives up this reader's hold; later Reads fail.
func (r *bodyReader) Close() error {
	r.body.mu.Lock()
	defer r.body.mu.Unlock()
	if !r.closed {
		r.closed = true
		r.body.unref()
	}
	return nil
}
