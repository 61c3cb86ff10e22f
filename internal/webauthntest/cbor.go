package webauthntest

import "encoding/binary"

// A minimal CBOR encoder (RFC 8949) for the attestation object and the
// COSE key: unsigned and negative integers, byte and text strings, and
// maps with their keys in the order given (the caller orders them
// canonically when that matters).

// CBOR major types (RFC 8949 §3.1).
const (
	majorUint  = 0
	majorNeg   = 1
	majorBytes = 2
	majorText  = 3
	majorMap   = 5
)

// cborHead encodes a major type and its argument in the shortest form
// (RFC 8949 §3).
func cborHead(major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return []byte{m | byte(n)}
	case n <= 0xff:
		return []byte{m | 24, byte(n)}
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16([]byte{m | 25}, uint16(n))
	case n <= 0xffffffff:
		return binary.BigEndian.AppendUint32([]byte{m | 26}, uint32(n))
	default:
		return binary.BigEndian.AppendUint64([]byte{m | 27}, n)
	}
}

// cborInt encodes i as an unsigned (major 0) or negative (major 1)
// integer; a negative i is carried as -1-i.
func cborInt(i int64) []byte {
	if i < 0 {
		return cborHead(majorNeg, uint64(-1-i))
	}
	return cborHead(majorUint, uint64(i))
}

// cborBytes encodes a byte string.
func cborBytes(b []byte) []byte { return append(cborHead(majorBytes, uint64(len(b))), b...) }

// cborText encodes a UTF-8 text string.
func cborText(s string) []byte { return append(cborHead(majorText, uint64(len(s))), s...) }

// cborMap encodes alternating encoded keys and values as a map, in the
// order given.
func cborMap(kv ...[]byte) []byte {
	if len(kv)%2 != 0 {
		panic("webauthntest: cborMap needs keys and values in pairs")
	}
	out := cborHead(majorMap, uint64(len(kv)/2))
	for _, item := range kv {
		out = append(out, item...)
	}
	return out
}
