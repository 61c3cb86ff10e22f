package mfa

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/internal/webauthntest"
)

// FuzzVerifyTOTP feeds arbitrary user input to the code parser: it must
// accept exactly the inputs that are six ASCII digits once spaces are
// removed, and VerifyTOTP must accept a code only if it is the one for the
// step it returns.
func FuzzVerifyTOTP(f *testing.F) {
	for _, s := range []string{"287082", "287 082", " 287082 ", "", "12345", "1234567", "12a456", "٣٤٥٦٧٨", "12\x00456"} {
		f.Add(s)
	}
	now := time.Unix(59, 0)
	f.Fuzz(func(t *testing.T, code string) {
		digits, ok := parseCode(code)
		stripped := strings.ReplaceAll(code, " ", "")
		want := len(code) <= maxCodeLen && len(stripped) == 6 && strings.Trim(stripped, "0123456789") == ""
		if ok != want || ok && string(digits) != stripped {
			t.Fatalf("parseCode(%q) = %q, %v; want %v", code, digits, ok, want)
		}
		step, verified := VerifyTOTP(rfcSecret, code, now, -1)
		if verified && (!ok || hotpCode(rfcSecret, uint64(step), 6) != stripped) {
			t.Fatalf("VerifyTOTP(%q) accepted step %d", code, step)
		}
	})
}

// FuzzHashRecoveryCode checks that ASCII case, dashes and blanks never
// change the hash of user input, whatever else the input holds.
func FuzzHashRecoveryCode(f *testing.F) {
	f.Add("ABCDE-FGH23", []byte{0, 0, 0, 0, 1})
	f.Add("abcde fgh23", []byte{2, 3})
	f.Add("\xffß", []byte{1})
	f.Fuzz(func(t *testing.T, in string, seps []byte) {
		if len(in) > maxRecoveryInput/2 {
			return
		}
		var b strings.Builder
		for i := 0; i < len(in); i++ {
			c := in[i]
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
				c ^= 0x20 // swap case
			}
			b.WriteByte(c)
			if i < len(seps) && seps[i]%4 != 0 {
				b.WriteByte(" -\t"[seps[i]%4-1])
			}
		}
		if !bytes.Equal(HashRecoveryCode(in), HashRecoveryCode(b.String())) {
			t.Fatalf("%q and %q hash differently", in, b.String())
		}
	})
}

// FuzzFinishRegistration feeds arbitrary browser responses to a
// registration: none may panic, and any failure is EINVALID.
func FuzzFinishRegistration(f *testing.F) {
	p, a := mustPasskeys(f), webauthntest.New(f, testRPID)
	user := mustUser(f, testUserID)
	opts, state, err := p.BeginRegistration(user)
	if err != nil {
		f.Fatal(err)
	}
	valid := a.Create(opts)
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte(`{"id":"AA","rawId":"AA","type":"public-key","response":{}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		data, id, err := p.FinishRegistration(user, state, body)
		if err != nil {
			if quire.ErrorCode(err) != quire.EINVALID {
				t.Fatalf("error %v", err)
			}
			return
		}
		if len(data) == 0 || len(id) == 0 {
			t.Fatal("success without a credential")
		}
	})
}

// FuzzFinishLogin feeds arbitrary browser responses to a login: none may
// panic, a failure is EINVALIDCREDENTIALS, and a success is always for the
// registered passkey (only its key can sign).
func FuzzFinishLogin(f *testing.F) {
	p, a := mustPasskeys(f), webauthntest.New(f, testRPID)
	opts, state, err := p.BeginRegistration(mustUser(f, testUserID))
	if err != nil {
		f.Fatal(err)
	}
	data, _, err := p.FinishRegistration(mustUser(f, testUserID), state, a.Create(opts))
	if err != nil {
		f.Fatal(err)
	}
	user := mustUser(f, testUserID, data)
	opts, state, err = p.BeginLogin(user)
	if err != nil {
		f.Fatal(err)
	}
	valid := a.Get(opts)
	f.Add(valid)
	f.Add(bytes.Replace(valid, []byte(`"type":"public-key"`), []byte(`"type":"x"`), 1))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := p.FinishLogin(user, state, body)
		if err != nil {
			if quire.ErrorCode(err) != quire.EINVALIDCREDENTIALS {
				t.Fatalf("error %v", err)
			}
			return
		}
		if got.UserID != testUserID || !bytes.Equal(got.CredentialID, a.CredentialID()) {
			t.Fatalf("login for %q with %x", got.UserID, got.CredentialID)
		}
	})
}
