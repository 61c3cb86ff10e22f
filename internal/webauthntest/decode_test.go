package webauthntest

import (
	"encoding/binary"
	"errors"
	"math"
)

// A CBOR decoder for the subset the encoder writes, so that the tests read
// the authenticator's bytes back without the code that wrote them.

// cborPair is one key and value of a decoded map, in encoded order.
type cborPair struct{ key, value any }

var errCBOR = errors.New("malformed or unsupported CBOR")

// cborDecode decodes one item from b: an int64, []byte, string or
// []cborPair. It returns the bytes after the item.
func cborDecode(b []byte) (any, []byte, error) {
	major, n, rest, err := cborReadHead(b)
	if err != nil {
		return nil, nil, err
	}
	switch major {
	case majorUint, majorNeg:
		if n > math.MaxInt64 {
			return nil, nil, errCBOR
		}
		if major == majorNeg {
			return -1 - int64(n), rest, nil
		}
		return int64(n), rest, nil
	case majorBytes, majorText:
		if n > uint64(len(rest)) {
			return nil, nil, errCBOR
		}
		if major == majorText {
			return string(rest[:n]), rest[n:], nil
		}
		return rest[:n], rest[n:], nil
	case majorMap:
		return cborDecodeMap(n, rest)
	}
	return nil, nil, errCBOR
}

// cborDecodeMap decodes the n pairs of a map from b.
func cborDecodeMap(n uint64, b []byte) (any, []byte, error) {
	var pairs []cborPair
	for ; n > 0; n-- {
		k, rest, err := cborDecode(b)
		if err != nil {
			return nil, nil, err
		}
		v, rest, err := cborDecode(rest)
		if err != nil {
			return nil, nil, err
		}
		pairs, b = append(pairs, cborPair{k, v}), rest
	}
	return pairs, b, nil
}

// cborReadHead reads a major type and its argument (RFC 8949 §3).
func cborReadHead(b []byte) (major byte, n uint64, rest []byte, err error) {
	if len(b) == 0 {
		return 0, 0, nil, errCBOR
	}
	major, info, b := b[0]>>5, b[0]&0x1f, b[1:]
	if info < 24 {
		return major, uint64(info), b, nil
	}
	size := map[byte]int{24: 1, 25: 2, 26: 4, 27: 8}[info]
	if size == 0 || len(b) < size {
		return 0, 0, nil, errCBOR
	}
	var buf [8]byte
	copy(buf[8-size:], b[:size])
	return major, binary.BigEndian.Uint64(buf[:]), b[size:], nil
}
