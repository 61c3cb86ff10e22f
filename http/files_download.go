package http

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// A file transfer may take longer than the server's read and write
// timeouts allow a request: its deadline grants transferBase plus the
// time to move its bytes at transferRate, so that a slow client can still
// move the largest file while an idle one is still cut off.
const (
	transferBase = 30 * time.Second
	transferRate = 64 << 10 // bytes per second
)

// transferDeadline is the deadline of moving n bytes, from now.
func transferDeadline(n int64) time.Time {
	return time.Now().Add(transferBase + time.Duration(max(n, 0)/transferRate)*time.Second)
}

// content answers GET /api/v1/files/{id}/content with the file's bytes,
// decrypted as they stream out: always as an attachment, of the type
// sniffed at upload, with nosniff, so that no browser renders a file in
// Quire's origin. A decryption failure after the first bytes aborts the
// response, so that the client cannot take a cut file for a whole one.
func (h *filesAPI) content(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := h.target(r)
	if err != nil {
		return err
	}
	if err := checkQuery(r); err != nil {
		return err
	}
	f, rc, err := h.files.Open(r.Context(), ws, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	hd := w.Header()
	hd.Set("Content-Type", f.MediaType)
	hd.Set("Content-Disposition", contentDisposition(f.Name))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	if r.Method == http.MethodHead {
		return nil
	}
	_ = http.NewResponseController(w).SetWriteDeadline(transferDeadline(f.Size)) // not every writer has one
	return streamOut(w, rc)
}

// streamOut copies rc to w. A read error before anything was written is
// returned, for a clean error response; after, the response is aborted.
// A write error means the client went away: there is no one to tell.
func streamOut(w http.ResponseWriter, rc io.Reader) error {
	buf := make([]byte, 32<<10)
	written := false
	for {
		n, err := rc.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return nil
			}
			written = true
		}
		switch {
		case err == io.EOF:
			return nil
		case err != nil && !written:
			return err
		case err != nil:
			panic(http.ErrAbortHandler)
		}
	}
}

// contentDisposition is the Content-Disposition of a download named name:
// an attachment with an ASCII fallback name and the exact name in RFC 5987
// encoding, which every current browser prefers.
func contentDisposition(name string) string {
	return `attachment; filename="` + asciiName(name) + `"; filename*=UTF-8''` + rfc5987(name)
}

// asciiName replaces every byte of name that is not printable ASCII, and
// the quote, backslash and percent sign, with an underscore.
func asciiName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			r = '_'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// rfc5987 percent-encodes every byte of s that is not an attr-char.
func rfc5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
