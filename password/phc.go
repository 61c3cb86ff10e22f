package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxEncodedLen bounds a PHC string before it is split or decoded. The
// longest valid one (4 GiB, t=100, p=255, 64-byte salt and key) is about
// 210 characters.
const maxEncodedLen = 256

// b64 is the encoding of the reference implementation: standard alphabet,
// no padding. Strict rejects non-zero trailing bits, so each hash has
// exactly one encoding.
var b64 = base64.RawStdEncoding.Strict()

// errFormat is the cause for any malformed PHC string. It names the part
// that is wrong but never echoes the input.
var errFormat = errors.New("malformed argon2id PHC string")

// hashed is a parsed PHC string.
type hashed struct {
	params Params
	salt   []byte
	key    []byte
}

// encode returns the PHC string of salt and key under p.
func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s",
		p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// parse decodes a PHC string of Argon2id version 19. It rejects anything
// else, and parameters outside the bounds, before allocating for them.
func parse(s string) (*hashed, error) {
	if len(s) > maxEncodedLen {
		return nil, fmt.Errorf("%w: too long", errFormat)
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return nil, fmt.Errorf("%w: not an argon2id hash", errFormat)
	}
	if parts[2] != "v=19" {
		return nil, fmt.Errorf("%w: unsupported version", errFormat)
	}
	p, err := parseParams(parts[3])
	if err != nil {
		return nil, err
	}
	h := &hashed{params: p}
	if h.salt, err = decodeField(parts[4], "salt"); err != nil {
		return nil, err
	}
	if h.key, err = decodeField(parts[5], "hash"); err != nil {
		return nil, err
	}
	h.params.SaltLen, h.params.KeyLen = uint32(len(h.salt)), uint32(len(h.key))
	if err := h.params.check(minStoredSalt, minStoredKey); err != nil {
		return nil, fmt.Errorf("%w: %v", errFormat, err)
	}
	return h, nil
}

// parseParams reads "m=…,t=…,p=…" in that order, as the reference
// implementation writes it.
func parseParams(s string) (Params, error) {
	var p Params
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return p, fmt.Errorf("%w: want m, t and p", errFormat)
	}
	dst := []*uint32{&p.Memory, &p.Time, &p.Threads}
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(fields[i], name)
		if !ok {
			return p, fmt.Errorf("%w: want %s", errFormat, name)
		}
		n, err := parseUint(v)
		if err != nil {
			return p, fmt.Errorf("%w: bad %s", errFormat, name)
		}
		*dst[i] = n
	}
	return p, nil
}

// parseUint accepts canonical decimal only: digits, no sign, no leading
// zero, at most 32 bits.
func parseUint(s string) (uint32, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') || strings.TrimLeft(s, "0123456789") != "" {
		return 0, errFormat
	}
	n, err := strconv.ParseUint(s, 10, 32)
	return uint32(n), err
}

// decodeField decodes a base64 salt or hash after bounding its length.
func decodeField(s, name string) ([]byte, error) {
	if s == "" || b64.DecodedLen(len(s)) > maxSaltOrKey {
		return nil, fmt.Errorf("%w: %s length out of range", errFormat, name)
	}
	b, err := b64.DecodeString(s)
	// The decoder skips CR and LF; the re-encoding check refuses them too.
	if err != nil || b64.EncodeToString(b) != s {
		return nil, fmt.Errorf("%w: %s is not base64", errFormat, name)
	}
	return b, nil
}
