package quire_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/quirehq/quire"
)

func TestAIPolicyValidate(t *testing.T) {
	all := quire.RedactKinds()
	if len(all) != 7 {
		t.Fatalf("RedactKinds() = %v, want the 7 kinds of the gateway", all)
	}
	all[0] = "mutated"
	if quire.RedactKinds()[0] != quire.RedactEmail {
		t.Fatal("RedactKinds returns the package's own slice")
	}
	for _, tc := range []struct {
		name  string
		kinds []string
		ok    bool
	}{
		{"none", nil, true},
		{"empty", []string{}, true},
		{"one", []string{"iban"}, true},
		{"all seven", quire.RedactKinds(), true},
		{"all seven reversed", func() []string { k := quire.RedactKinds(); slices.Reverse(k); return k }(), true},
		{"unknown", []string{"passport"}, false},
		{"capitals", []string{"Email"}, false},
		{"empty name", []string{""}, false},
		{"padded", []string{" ip"}, false},
		{"repeated", []string{"ip", "card", "ip"}, false},
		{"repeated at once", []string{"secret", "secret"}, false},
		{"eight", append(quire.RedactKinds(), "email"), false},
		{"many", slices.Repeat([]string{"phone"}, 500), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := (&quire.AIPolicy{AllowNonZDR: true, RedactKinds: tc.kinds}).Validate()
			if tc.ok {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if quire.ErrorCode(err) != quire.EINVALID {
				t.Fatalf("Validate = %v, want %s", err, quire.EINVALID)
			}
			msg := quire.ErrorMessage(err)
			if !strings.Contains(msg, "redactKinds") {
				t.Errorf("message %q does not name the field", msg)
			}
			if strings.Contains(msg, "passport") || strings.Contains(msg, "Email") {
				t.Errorf("message %q quotes an unknown value", msg)
			}
		})
	}
}

func TestAIPolicyRedacts(t *testing.T) {
	zero := &quire.AIPolicy{}
	for _, k := range quire.RedactKinds() {
		if !zero.Redacts(k) {
			t.Errorf("the zero policy does not redact %s", k)
		}
	}
	some := &quire.AIPolicy{RedactKinds: []string{quire.RedactEmail, quire.RedactIBAN}}
	if !some.Redacts(quire.RedactEmail) || !some.Redacts(quire.RedactIBAN) || some.Redacts(quire.RedactPhone) {
		t.Error("a limited policy redacts the wrong kinds")
	}
	off := &quire.AIPolicy{RedactionOff: true, RedactKinds: []string{quire.RedactEmail}}
	if off.Redacts(quire.RedactEmail) {
		t.Error("a policy with redaction off still redacts")
	}
}

func TestAIPolicyRecordRoundTrip(t *testing.T) {
	for _, p := range []*quire.AIPolicy{
		{},
		{AllowNonZDR: true},
		{RedactionOff: true},
		{AllowNonZDR: true, RedactionOff: true, RedactKinds: quire.RedactKinds()},
		{RedactKinds: []string{quire.RedactSecret, quire.RedactNationalID}},
	} {
		b := quire.MarshalAIPolicy(p)
		got := &quire.AIPolicy{}
		if err := quire.UnmarshalAIPolicy(b, got); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		if got.AllowNonZDR != p.AllowNonZDR || got.RedactionOff != p.RedactionOff || !slices.Equal(got.RedactKinds, p.RedactKinds) {
			t.Fatalf("round trip of %+v = %+v", p, got)
		}
	}
	// The stored format is fixed: a value written by this version must
	// read back in every later one.
	const v1 = `{"v":1,"allowNonZdr":true,"redactionOff":false,"redactKinds":["national_id","iban"]}`
	if got := quire.MarshalAIPolicy(&quire.AIPolicy{AllowNonZDR: true, RedactKinds: []string{"national_id", "iban"}}); string(got) != v1 {
		t.Fatalf("MarshalAIPolicy = %s, want %s", got, v1)
	}
}

func TestAIPolicyRecordRefused(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          ``,
		"null":           `null`,
		"no version":     `{"allowNonZdr":true}`,
		"version 2":      `{"v":2,"allowNonZdr":true}`,
		"unknown field":  `{"v":1,"strict":false}`,
		"trailing data":  `{"v":1} {}`,
		"wrong type":     `{"v":1,"allowNonZdr":"yes"}`,
		"unknown kind":   `{"v":1,"redactKinds":["passport"]}`,
		"repeated kind":  `{"v":1,"redactKinds":["ip","ip"]}`,
		"truncated":      `{"v":1,"redactKinds":["ip"`,
		"not an object":  `[1]`,
		"kinds not list": `{"v":1,"redactKinds":"ip"}`,
	} {
		t.Run(name, func(t *testing.T) {
			p := &quire.AIPolicy{AllowNonZDR: true, RedactKinds: []string{"card"}}
			err := quire.UnmarshalAIPolicy([]byte(in), p)
			if err == nil {
				t.Fatalf("Unmarshal(%s) accepted: %+v", in, p)
			}
			if !p.AllowNonZDR || !slices.Equal(p.RedactKinds, []string{"card"}) {
				t.Fatalf("a refused record changed the policy to %+v", p)
			}
			if strings.Contains(err.Error(), "passport") || strings.Contains(err.Error(), "yes") {
				t.Fatalf("the error quotes the record: %v", err)
			}
		})
	}
}

// FuzzUnmarshalAIPolicy checks that any input either decodes to a policy
// that validates and encodes back to the same policy, or is refused
// without changing the destination or quoting the input.
func FuzzUnmarshalAIPolicy(f *testing.F) {
	f.Add(quire.MarshalAIPolicy(&quire.AIPolicy{}))
	f.Add(quire.MarshalAIPolicy(&quire.AIPolicy{AllowNonZDR: true, RedactionOff: true, RedactKinds: quire.RedactKinds()}))
	f.Add([]byte(`{"v":1,"redactKinds":["ip","ip"]}`))
	f.Add([]byte(`{"v":1,"V":2}`))
	f.Add([]byte(`{"v":1,"redactKinds":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := &quire.AIPolicy{RedactKinds: []string{"sentinel"}}
		err := quire.UnmarshalAIPolicy(b, p)
		if err != nil {
			if !slices.Equal(p.RedactKinds, []string{"sentinel"}) {
				t.Fatalf("refused input changed the policy: %+v", p)
			}
			if len(b) >= 8 && strings.Contains(err.Error(), string(b)) {
				t.Fatalf("error quotes the input: %v", err)
			}
			return
		}
		if verr := p.Validate(); verr != nil {
			t.Fatalf("decoded an invalid policy %+v: %v", p, verr)
		}
		again := &quire.AIPolicy{}
		if err := quire.UnmarshalAIPolicy(quire.MarshalAIPolicy(p), again); err != nil {
			t.Fatalf("re-decoding: %v", err)
		}
		if again.AllowNonZDR != p.AllowNonZDR || again.RedactionOff != p.RedactionOff ||
			!slices.Equal(again.RedactKinds, p.RedactKinds) && (len(again.RedactKinds) != 0 || len(p.RedactKinds) != 0) {
			t.Fatalf("re-encoding changed %+v into %+v", p, again)
		}
		if bytes.Contains(quire.MarshalAIPolicy(p), []byte(`"sentinel"`)) {
			t.Fatal("the sentinel survived a successful decode")
		}
	})
}
