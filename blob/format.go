package blob

import (
	"encoding/binary"
	"io"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// Format constants; doc.go describes the layout.
const (
	magic         = "QBL1"
	formatVersion = 1
	// fixedHeader is magic, version, chunk size and wrapped-key length.
	fixedHeader = len(magic) + 1 + 4 + 2
	// DefaultChunkSize is the plaintext size of every chunk but the last.
	DefaultChunkSize = 64 << 10
	minChunkSize     = 4 << 10
	maxChunkSize     = 1 << 20
	maxWrappedKey    = 1024
	fileKeySize      = 32
	tagSize          = 16
	nonceSize        = 12
)

// header is the parsed fixed part of a blob.
type header struct {
	chunkSize int
	wrapped   []byte // the file key, sealed by the barrier
	raw       []byte // the header's exact bytes, authenticated by every chunk
}

func encodeHeader(chunkSize int, wrapped []byte) []byte {
	out := make([]byte, 0, fixedHeader+len(wrapped))
	out = append(out, magic...)
	out = append(out, formatVersion)
	out = binary.BigEndian.AppendUint32(out, uint32(chunkSize))
	out = binary.BigEndian.AppendUint16(out, uint16(len(wrapped)))
	return append(out, wrapped...)
}

// readHeader reads and checks the header at the start of r. Every bound is
// checked before anything is allocated from a length the file declares.
func readHeader(r io.Reader) (*header, error) {
	fixed := make([]byte, fixedHeader)
	if _, err := io.ReadFull(r, fixed); err != nil {
		return nil, readErr(err)
	}
	if string(fixed[:4]) != magic || fixed[4] != formatVersion {
		return nil, corrupt("unknown magic or version")
	}
	chunk := binary.BigEndian.Uint32(fixed[5:9])
	n := int(binary.BigEndian.Uint16(fixed[9:11]))
	if chunk < minChunkSize || chunk > maxChunkSize || n < barrier.Overhead || n > maxWrappedKey {
		return nil, corrupt("header field out of range")
	}
	raw := make([]byte, fixedHeader+n)
	copy(raw, fixed)
	if _, err := io.ReadFull(r, raw[fixedHeader:]); err != nil {
		return nil, readErr(err)
	}
	return &header{chunkSize: int(chunk), wrapped: raw[fixedHeader:], raw: raw}, nil
}

// readErr turns a short read into a corruption error and passes others on.
func readErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return corrupt("truncated")
	}
	return err
}

// plainSize returns the plaintext size of a body of bodyLen bytes, or an
// error if no sequence of chunks has that length. Every chunk holds
// chunkSize bytes but the last, which holds 1 to chunkSize (0 only when it
// is the only chunk).
func plainSize(bodyLen int64, chunkSize int) (int64, error) {
	seg := int64(chunkSize + tagSize)
	if bodyLen < tagSize {
		return 0, corrupt("body shorter than one chunk")
	}
	full, rest := bodyLen/seg, bodyLen%seg
	switch {
	case rest == 0: // the last chunk is full
		return bodyLen - full*tagSize, nil
	case rest > tagSize || full == 0:
		return bodyLen - (full+1)*tagSize, nil
	default: // a trailing segment that holds only a tag after full chunks
		return 0, corrupt("body length matches no chunk layout")
	}
}

// chunkNonce is the STREAM nonce of chunk i: a zero prefix (the key is
// fresh for every blob), the 64-bit big-endian counter and the last-chunk
// flag.
func chunkNonce(nonce *[nonceSize]byte, i uint64, last bool) {
	binary.BigEndian.PutUint64(nonce[3:11], i)
	nonce[11] = 0
	if last {
		nonce[11] = 1
	}
}

// chunkAD is the associated data of every chunk: a domain label, the blob's
// location and the whole header.
func chunkAD(workspaceID, blobID string, hdr []byte) []byte {
	out := make([]byte, 0, 64+len(hdr))
	out = append(out, "quire.blob.v1\x00"...)
	out = append(out, workspaceID+"/"+blobID...)
	out = append(out, 0)
	return append(out, hdr...)
}

// keyAD is the barrier associated data of a blob's wrapped file key.
func keyAD(workspaceID, blobID string) []byte {
	return barrier.AD("blobs", workspaceID+"/"+blobID, "key")
}

// corrupt is the error for a blob that fails to parse or authenticate. The
// message says nothing about contents; detail goes to the logs only.
func corrupt(detail string) error {
	return quire.WrapError(quire.EINTERNAL, "Stored file failed its integrity check.", errDetail(detail))
}

type errDetail string

func (e errDetail) Error() string { return "blob: " + string(e) }
