package mfa

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/quirehq/quire"
)

// TOTP parameters: the RFC 6238 defaults every authenticator app supports.
const (
	// TOTPSecretSize is the secret length in bytes (160 bits, the HMAC-SHA-1
	// output size RFC 4226 recommends).
	TOTPSecretSize = 20
	// TOTPPeriod is the length of one time step.
	TOTPPeriod = 30 * time.Second
	// TOTPDigits is the number of digits in a code.
	TOTPDigits = 6
	// TOTPSkew is how many steps before and after the current one a code
	// may come from, for clocks that drift and users that type slowly.
	TOTPSkew = 1
)

// Bounds on the text fed to the QR encoder and the code parser, so that
// neither does unbounded work on hostile input.
const (
	maxLabel   = 200
	maxURI     = 1024
	maxCodeLen = 32
	qrSize     = 256
)

var secretEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTP returns a new random secret and the otpauth:// URI that enrols it
// in an authenticator app (show it as a QR code with QRPNG). The caller
// stores the secret encrypted and unconfirmed until a first code verifies.
func NewTOTP(issuer, account string) (secret []byte, uri string, err error) {
	if !validLabel(issuer) || !validLabel(account) {
		return nil, "", quire.Errorf(quire.EINVALID, "Issuer and account must be 1 to 200 characters without a colon.")
	}
	secret = make([]byte, TOTPSecretSize)
	if _, err := rand.Read(secret); err != nil {
		return nil, "", quire.WrapError(quire.EINTERNAL, "Could not create a TOTP secret.", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: account, Secret: secret,
		Period: uint(TOTPPeriod / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, "", quire.WrapError(quire.EINTERNAL, "Could not create a TOTP secret.", err)
	}
	return secret, key.URL(), nil
}

// validLabel reports whether s can be the issuer or account of an otpauth
// label: the colon separates the two, so it may appear in neither.
func validLabel(s string) bool {
	return s != "" && len(s) <= maxLabel && !strings.Contains(s, ":")
}

// QRPNG returns a PNG image of the QR code of an otpauth:// URI.
func QRPNG(uri string) ([]byte, error) {
	if len(uri) > maxURI || !strings.HasPrefix(uri, "otpauth://") {
		return nil, quire.Errorf(quire.EINVALID, "Not an otpauth URI.")
	}
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return nil, quire.WrapError(quire.EINVALID, "Not an otpauth URI.", err)
	}
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return nil, quire.WrapError(quire.EINTERNAL, "Could not draw the QR code.", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, quire.WrapError(quire.EINTERNAL, "Could not draw the QR code.", err)
	}
	return buf.Bytes(), nil
}

// VerifyTOTP checks code against secret at now, accepting the steps from
// TOTPSkew before to TOTPSkew after the current one. A step at or before
// lastUsedStep is refused, so a code cannot be replayed: on success the
// caller stores the returned step as the new lastUsedStep (use -1 before
// the first code). Spaces in code are ignored; anything else that is not
// exactly six digits is refused.
func VerifyTOTP(secret []byte, code string, now time.Time, lastUsedStep int64) (step int64, ok bool) {
	want, valid := parseCode(code)
	if !valid || len(secret) == 0 {
		return 0, false
	}
	current := now.Unix() / int64(TOTPPeriod/time.Second)
	matched := int64(-1)
	for s := current - TOTPSkew; s <= current+TOTPSkew; s++ {
		if s < 0 {
			continue
		}
		got := hotpCode(secret, uint64(s), otp.DigitsSix)
		// Every candidate is computed and compared; the latest match wins.
		if subtle.ConstantTimeCompare([]byte(got), want) == 1 && s > lastUsedStep {
			matched = s
		}
	}
	return matched, matched >= 0
}

// parseCode returns the digits of a user-typed code without its spaces,
// and whether they are exactly TOTPDigits ASCII digits.
func parseCode(code string) ([]byte, bool) {
	if len(code) > maxCodeLen {
		return nil, false
	}
	digits := make([]byte, 0, TOTPDigits)
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c == ' ':
		case c >= '0' && c <= '9' && len(digits) < TOTPDigits:
			digits = append(digits, c)
		default:
			return nil, false
		}
	}
	return digits, len(digits) == TOTPDigits
}

// hotpCode is the RFC 4226 code of secret for counter (the TOTP step).
func hotpCode(secret []byte, counter uint64, digits otp.Digits) string {
	code, err := hotp.GenerateCodeCustom(secretEncoding.EncodeToString(secret), counter,
		hotp.ValidateOpts{Digits: digits, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		// Our own base32 never fails to decode; an empty code matches nothing.
		return ""
	}
	return code
}
