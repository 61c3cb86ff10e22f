package password

import (
	"strings"
	"testing"

	"github.com/quirehq/quire"
)

func TestPolicyCheck(t *testing.T) {
	for _, c := range []struct {
		name string
		p    Policy
		pw   string
		code string // "" for accepted
	}{
		{"empty", Policy{}, "", quire.EPASSWORDTOOSHORT},
		{"seven", Policy{}, "1234567", quire.EPASSWORDTOOSHORT},
		{"eight", Policy{}, "12345678", ""},
		{"any unicode", Policy{}, "пароль😀 ǅ\u00a0x", ""},
		{"eight code points, more bytes", Policy{}, "ééééééé😀", ""},
		{"combining marks compose under NFKC", Policy{}, strings.Repeat("e\u0301", 7), quire.EPASSWORDTOOSHORT},
		{"ligature expands under NFKC", Policy{}, "\ufb03\ufb03\ufb03", ""}, // ffi ×3 = 9
		{"max 128", Policy{}, strings.Repeat("a", 128), ""},
		{"129", Policy{}, strings.Repeat("a", 129), quire.EPASSWORDTOOLONG},
		{"NFKC expansion counts", Policy{}, strings.Repeat("\ufb03", 43), quire.EPASSWORDTOOLONG},
		{"10 MB", Policy{}, strings.Repeat("a", 10<<20), quire.EPASSWORDTOOLONG},
		{"invalid utf-8", Policy{}, "abcdefgh\xff", quire.EINVALID},
		{"min 64", Policy{MinLength: 64}, strings.Repeat("a", 63), quire.EPASSWORDTOOSHORT},
		{"min 64 ok", Policy{MinLength: 64}, strings.Repeat("a", 64), ""},
		{"max 1024", Policy{MaxLength: 1024}, strings.Repeat("ü", 1024), ""},
		{"below floor clamps", Policy{MinLength: 4, MaxLength: 20}, "12345678" + strings.Repeat("a", 120), ""},
	} {
		err := c.p.Check(c.pw)
		if got := quire.ErrorCode(err); got != c.code {
			t.Errorf("%s: Check = %v, want code %q", c.name, err, c.code)
		}
	}
}

func TestPolicyMessagesSayTheLimits(t *testing.T) {
	p := Policy{MinLength: 12, MaxLength: 200}
	if m := quire.ErrorMessage(p.Check("short")); !strings.Contains(m, "12") {
		t.Errorf("too-short message %q does not say 12", m)
	}
	if m := quire.ErrorMessage(p.Check(strings.Repeat("a", 201))); !strings.Contains(m, "200") {
		t.Errorf("too-long message %q does not say 200", m)
	}
	if m := quire.ErrorMessage(p.Check(strings.Repeat("a", 1<<20))); !strings.Contains(m, "200") {
		t.Errorf("cheap too-long message %q does not say 200", m)
	}
	secret := "hunter2"
	if m := quire.ErrorMessage(p.Check(secret)); strings.Contains(m, secret) {
		t.Errorf("message %q contains the password", m)
	}
}

func TestPolicyValidate(t *testing.T) {
	for _, p := range []Policy{{}, {MinLength: 64}, {MinLength: 15, MaxLength: 1024}, {MaxLength: 128}} {
		if err := p.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", p, err)
		}
	}
	for _, p := range []Policy{{MaxLength: 64}, {MaxLength: 2048}, {MinLength: 6}, {MinLength: 200}} {
		if err := p.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", p)
		}
	}
}

// FuzzPolicyCheck checks that Check never panics and only ever answers
// with the documented codes.
func FuzzPolicyCheck(f *testing.F) {
	f.Add("correct horse", 0, 0)
	f.Add("\ufb03\xff", 64, 128)
	f.Fuzz(func(t *testing.T, pw string, lo, hi int) {
		switch code := quire.ErrorCode(Policy{MinLength: lo, MaxLength: hi}.Check(pw)); code {
		case "", quire.EPASSWORDTOOSHORT, quire.EPASSWORDTOOLONG, quire.EINVALID:
		default:
			t.Fatalf("Check returned code %q", code)
		}
	})
}
