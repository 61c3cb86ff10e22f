package password

import (
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/quirehq/quire"
)

// Length limits, in Unicode code points of the NFKC form.
const (
	DefaultMinLength = 8
	DefaultMaxLength = 128
	// MinMaxLength is the lowest MaxLength a Policy may set: long
	// passphrases must always fit.
	MinMaxLength = 128
	// MaxMaxLength is the highest MaxLength a Policy may set.
	MaxMaxLength = 1024
	// bytesPerRune bounds the UTF-8 bytes that can normalise to one code
	// point, generously (a code point is at most 4 bytes, and composition
	// joins at most a few). Input beyond bytesPerRune × MaxLength bytes is
	// refused before it is normalised.
	bytesPerRune = 16
)

// Policy is the rule for new passwords: a length range and nothing else.
// Any Unicode is accepted, with no composition rules (NIST SP 800-63B).
// Zero fields take the defaults.
type Policy struct {
	// MinLength is the fewest code points. Default 8; at most MaxLength.
	MinLength int
	// MaxLength is the most code points. Default 128; 128..1024.
	MaxLength int
}

// Validate reports a Policy that is out of bounds, for configuration-time
// errors. Check applies the bounds regardless.
func (p Policy) Validate() error {
	lo, hi := p.limits()
	switch {
	case p.MaxLength != 0 && (p.MaxLength < MinMaxLength || p.MaxLength > MaxMaxLength):
		return fmt.Errorf("password: max length %d out of range %d..%d", p.MaxLength, MinMaxLength, MaxMaxLength)
	case p.MinLength != 0 && (p.MinLength < DefaultMinLength || p.MinLength > hi):
		return fmt.Errorf("password: min length %d out of range %d..%d", p.MinLength, DefaultMinLength, hi)
	case lo > hi:
		return fmt.Errorf("password: min length %d above max length %d", lo, hi)
	}
	return nil
}

// limits returns the effective minimum and maximum length.
func (p Policy) limits() (lo, hi int) {
	lo, hi = p.MinLength, p.MaxLength
	if hi == 0 {
		hi = DefaultMaxLength
	}
	hi = min(max(hi, MinMaxLength), MaxMaxLength)
	if lo <= 0 {
		lo = DefaultMinLength
	}
	return min(max(lo, DefaultMinLength), hi), hi
}

// Check returns nil if pw is acceptable as a new password, or a
// *quire.Error: EPASSWORDTOOSHORT or EPASSWORDTOOLONG with the limit in the
// message, or EINVALID for invalid UTF-8. The length is counted in code
// points of the NFKC form, the form that is hashed.
func (p Policy) Check(pw string) error {
	lo, hi := p.limits()
	if len(pw) > bytesPerRune*hi {
		return tooLong(hi)
	}
	if !utf8.ValidString(pw) {
		return quire.Errorf(quire.EINVALID, "The password is not valid text.")
	}
	n := utf8.RuneCountInString(norm.NFKC.String(pw))
	switch {
	case n < lo:
		return quire.Errorf(quire.EPASSWORDTOOSHORT, "The password must have at least %d characters.", lo)
	case n > hi:
		return tooLong(hi)
	}
	return nil
}

func tooLong(hi int) error {
	return quire.Errorf(quire.EPASSWORDTOOLONG, "The password must have at most %d characters.", hi)
}
