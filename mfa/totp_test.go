package mfa

import (
	"bytes"
	"image/png"
	"net/url"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/quirehq/quire"
)

// rfcSecret is the SHA-1 seed of RFC 6238 Appendix B.
var rfcSecret = []byte("12345678901234567890")

// rfcVectors are the SHA-1 rows of RFC 6238 Appendix B (8 digits).
var rfcVectors = []struct {
	unix int64
	step int64
	code string
}{
	{59, 1, "94287082"},
	{1111111109, 0x23523EC, "07081804"},
	{1111111111, 0x23523ED, "14050471"},
	{1234567890, 0x273EF07, "89005924"},
	{2000000000, 0x3F940AA, "69279037"},
	{20000000000, 0x27BC86AA, "65353130"},
}

func TestTOTPRFC6238Vectors(t *testing.T) {
	for _, v := range rfcVectors {
		if got := hotpCode(rfcSecret, uint64(v.step), otp.DigitsEight); got != v.code {
			t.Errorf("T=%d: code %s, want %s", v.unix, got, v.code)
		}
		// Six digits are the same truncation mod 10^6: the last six.
		step, ok := VerifyTOTP(rfcSecret, v.code[2:], time.Unix(v.unix, 0), -1)
		if !ok || step != v.step {
			t.Errorf("T=%d: VerifyTOTP = %d, %v; want %d, true", v.unix, step, ok, v.step)
		}
	}
}

// codeAt is what an authenticator app shows at t.
func codeAt(t *testing.T, secret []byte, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCode(secretEncoding.EncodeToString(secret), at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestVerifyTOTPSkew(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	current := now.Unix() / 30
	for _, c := range []struct {
		offset time.Duration
		ok     bool
	}{
		{-2 * TOTPPeriod, false}, {-TOTPPeriod, true}, {0, true}, {TOTPPeriod, true}, {2 * TOTPPeriod, false},
	} {
		code := codeAt(t, rfcSecret, now.Add(c.offset))
		step, ok := VerifyTOTP(rfcSecret, code, now, -1)
		if ok != c.ok {
			t.Errorf("offset %v: ok = %v", c.offset, ok)
		}
		if want := current + int64(c.offset/TOTPPeriod); ok && step != want {
			t.Errorf("offset %v: step %d, want %d", c.offset, step, want)
		}
	}
}

func TestVerifyTOTPReplay(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	code := codeAt(t, rfcSecret, now)
	step, ok := VerifyTOTP(rfcSecret, code, now, -1)
	if !ok {
		t.Fatal("first use refused")
	}
	if _, ok := VerifyTOTP(rfcSecret, code, now.Add(10*time.Second), step); ok {
		t.Fatal("the same code was accepted twice")
	}
	// An older code, still within the skew, is refused once a later step
	// was used.
	if _, ok := VerifyTOTP(rfcSecret, codeAt(t, rfcSecret, now.Add(-TOTPPeriod)), now, step); ok {
		t.Fatal("an older step was accepted after a newer one")
	}
	next, ok := VerifyTOTP(rfcSecret, codeAt(t, rfcSecret, now.Add(TOTPPeriod)), now.Add(TOTPPeriod), step)
	if !ok || next != step+1 {
		t.Fatalf("next step: %d, %v", next, ok)
	}
}

func TestVerifyTOTPMalformed(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	code := codeAt(t, rfcSecret, now)
	cases := []struct {
		in string
		ok bool
	}{
		{code, true},
		{code[:3] + " " + code[3:], true},
		{"  " + code + " ", true},
		{"", false},
		{code[:5], false},
		{code + "0", false},
		{code[:5] + "x", false},
		{code[:3] + "-" + code[3:], false},
		{code[:3] + "\t" + code[3:], false},
		{"+" + code[1:], false},
		{"０" + code[1:], false}, // a full-width digit
		{code + string(make([]byte, 40)), false},
	}
	for _, c := range cases {
		if _, ok := VerifyTOTP(rfcSecret, c.in, now, -1); ok != c.ok {
			t.Errorf("%q: ok = %v, want %v", c.in, ok, c.ok)
		}
	}
	if _, ok := VerifyTOTP(nil, code, now, -1); ok {
		t.Error("an empty secret verified a code")
	}
	if _, ok := VerifyTOTP([]byte("another secret 1234!"), code, now, -1); ok {
		t.Error("a code verified under another secret")
	}
}

func TestNewTOTP(t *testing.T) {
	secret, uri, err := NewTOTP("Quire", "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := NewTOTP("Quire", "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != TOTPSecretSize || bytes.Equal(secret, other) {
		t.Fatalf("secret %x (len %d), next %x", secret, len(secret), other)
	}
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Quire:ada@example.com" ||
		q.Get("issuer") != "Quire" || q.Get("period") != "30" || q.Get("digits") != "6" || q.Get("algorithm") != "SHA1" {
		t.Fatalf("uri %s", uri)
	}
	if got, err := secretEncoding.DecodeString(q.Get("secret")); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("uri secret %q does not decode to the secret", q.Get("secret"))
	}
	// An authenticator app that scanned the URI shows codes that verify.
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	code, err := totp.GenerateCode(key.Secret(), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := VerifyTOTP(secret, code, now, -1); !ok {
		t.Fatal("the enrolled app's code does not verify")
	}
}

func TestNewTOTPInvalidLabels(t *testing.T) {
	long := string(bytes.Repeat([]byte("a"), maxLabel+1))
	for _, c := range [][2]string{{"", "a"}, {"Quire", ""}, {"Qu:ire", "a"}, {"Quire", "a:b"}, {long, "a"}} {
		if _, _, err := NewTOTP(c[0], c[1]); quire.ErrorCode(err) != quire.EINVALID {
			t.Errorf("%q: error %v", c, err)
		}
	}
}

func TestQRPNG(t *testing.T) {
	_, uri, err := NewTOTP("Quire", "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	b, err := QRPNG(uri)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if r := img.Bounds(); r.Dx() != qrSize || r.Dy() != qrSize {
		t.Fatalf("image is %v", r)
	}
	dark, light := 0, 0
	for y := 0; y < qrSize; y++ {
		for x := 0; x < qrSize; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
				dark++
			} else {
				light++
			}
		}
	}
	// A QR code is roughly half dark modules; a blank image is not one.
	if dark < qrSize*qrSize/5 || light < qrSize*qrSize/5 {
		t.Fatalf("dark %d, light %d pixels", dark, light)
	}
	_, uri2, _ := NewTOTP("Quire", "ada@example.com")
	if b2, err := QRPNG(uri2); err != nil || bytes.Equal(b, b2) {
		t.Fatal("two secrets gave the same QR code")
	}
}

func TestQRPNGRefusesOtherInput(t *testing.T) {
	long := "otpauth://totp/a?secret=" + string(bytes.Repeat([]byte("A"), maxURI))
	for _, in := range []string{"", "https://example.com", "javascript:alert(1)", long} {
		if _, err := QRPNG(in); quire.ErrorCode(err) != quire.EINVALID {
			t.Errorf("%.30q: error %v", in, err)
		}
	}
}

func BenchmarkVerifyTOTP(b *testing.B) {
	now := time.Unix(1_700_000_000, 0)
	for b.Loop() {
		VerifyTOTP(rfcSecret, "123456", now, -1)
	}
}
