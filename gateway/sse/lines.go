package sse

import (
	"bytes"
	"io"
)

// maxLineSlack is the room a line needs beyond the event limit for its
// field name and colon.
const maxLineSlack = 64

var bom = []byte{0xEF, 0xBB, 0xBF}

// readLine returns the next line without its terminator (LF, CR or CRLF).
// The slice points into r.buf and is valid until the next call. A final
// line with no terminator is never returned: the stream simply ends (EOF).
func (r *Reader) readLine() ([]byte, error) {
	for empties := 0; ; {
		if r.skipLF && r.r < r.w {
			if r.buf[r.r] == '\n' {
				r.r++
			}
			r.skipLF = false
		}
		if avail := r.buf[r.r:r.w]; !r.started && (len(avail) > 0 && !bytes.HasPrefix(bom, avail) || len(avail) >= len(bom) || r.err != nil) {
			// Decided as soon as the input cannot be a BOM or is one.
			r.started = true
			if bytes.HasPrefix(avail, bom) {
				r.r += len(bom)
			}
		}
		if r.started && !r.skipLF {
			if line, ok := r.cutLine(); ok {
				return line, nil
			}
		}
		if r.err != nil {
			return nil, r.err
		}
		if r.w-r.r > r.max+maxLineSlack {
			return nil, ErrEventTooLarge
		}
		n := r.fill()
		if n > 0 {
			empties = 0
		} else if empties++; empties > 100 && r.err == nil {
			r.err = errNoProgress
		}
	}
}

// cutLine takes one complete line off the buffer, if there is one.
func (r *Reader) cutLine() ([]byte, bool) {
	b := r.buf[r.r:r.w]
	lf := bytes.IndexByte(b, '\n')
	lim := b
	if lf >= 0 {
		lim = b[:lf]
	}
	i := bytes.IndexByte(lim, '\r')
	switch {
	case i >= 0: // CR, or CRLF
		r.r += i + 1
		if i+1 < len(b) {
			if b[i+1] == '\n' {
				r.r++
			}
		} else {
			r.skipLF = true
		}
		return b[:i], true
	case lf >= 0:
		r.r += lf + 1
		return b[:lf], true
	}
	return nil, false
}

// fill reads more input, compacting or growing the buffer first. It
// returns the number of bytes read and records a read error in r.err.
func (r *Reader) fill() int {
	if r.r > 0 {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
	}
	if r.w == len(r.buf) {
		nb := make([]byte, min(2*len(r.buf), r.max+maxLineSlack+1))
		copy(nb, r.buf[:r.w])
		r.buf = nb
	}
	n, err := r.rd.Read(r.buf[r.w:])
	if n < 0 || n > len(r.buf)-r.w {
		n, err = 0, io.ErrShortBuffer
	}
	r.w += n
	if err != nil {
		r.err = err
	}
	return n
}
