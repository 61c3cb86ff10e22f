package barrier

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
)

const (
	formatV1   = 0x01
	headerSize = 1 + 4 // format + key version
	nonceSize  = 12
	tagSize    = 16
	// Overhead is the number of bytes a ciphertext adds to its plaintext.
	Overhead = headerSize + nonceSize + tagSize
)

// Errors a decryption can return. They name the problem without revealing
// anything about the plaintext or the key.
var (
	ErrTruncated = errors.New("ciphertext is truncated")
	ErrFormat    = errors.New("ciphertext has an unknown format")
	ErrAuth      = errors.New("ciphertext failed authentication: it was altered, or belongs to another record or key")
	ErrNoKey     = errors.New("no key for this ciphertext: the data key was shredded or retired")
)

func randomKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k) // crypto/rand.Read never fails on supported platforms.
	return k
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal encrypts plaintext with version in the header; ad is authenticated
// together with the header.
func seal(aead cipher.AEAD, version uint32, ad, plaintext []byte) []byte {
	out := make([]byte, headerSize+nonceSize, Overhead+len(plaintext))
	out[0] = formatV1
	binary.BigEndian.PutUint32(out[1:5], version)
	_, _ = rand.Read(out[headerSize:])
	nonce := out[headerSize : headerSize+nonceSize]
	return aead.Seal(out, nonce, plaintext, fullAD(ad, out[:headerSize]))
}

// open decrypts a value made by seal.
func open(aead cipher.AEAD, ad, ct []byte) ([]byte, error) {
	if _, err := parseVersion(ct); err != nil {
		return nil, err
	}
	nonce := ct[headerSize : headerSize+nonceSize]
	pt, err := aead.Open(nil, nonce, ct[headerSize+nonceSize:], fullAD(ad, ct[:headerSize]))
	if err != nil {
		return nil, ErrAuth
	}
	return pt, nil
}

func fullAD(ad, header []byte) []byte {
	out := make([]byte, 0, len(ad)+len(header))
	return append(append(out, ad...), header...)
}

// parseVersion returns the key version named by a ciphertext's header.
func parseVersion(ct []byte) (uint32, error) {
	if len(ct) < Overhead {
		return 0, ErrTruncated
	}
	if ct[0] != formatV1 {
		return 0, fmt.Errorf("%w (format byte %#x)", ErrFormat, ct[0])
	}
	return binary.BigEndian.Uint32(ct[1:5]), nil
}

// KeyVersion returns the data-key version that encrypted ct.
func KeyVersion(ct []byte) (uint32, error) { return parseVersion(ct) }
