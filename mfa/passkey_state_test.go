package mfa

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/internal/webauthntest"
)

func TestNewPasskeysInvalid(t *testing.T) {
	cases := []struct{ rpID, name string }{{"", "Quire"}, {"quire.test", ""}, {"https://quire.test", "Quire"}}
	for _, c := range cases {
		_, err := NewPasskeys(c.rpID, c.name, []string{testOrigin})
		wantCode(t, err, quire.EINVALID)
	}
	_, err := NewPasskeys(testRPID, "Quire", nil)
	wantCode(t, err, quire.EINVALID)
}

func TestNewPasskeyUserInvalid(t *testing.T) {
	for _, c := range []struct {
		id, name string
		creds    [][]byte
		code     string
	}{
		{"", "n", nil, quire.EINVALID},
		{strings.Repeat("x", 65), "n", nil, quire.EINVALID},
		{testUserID, "", nil, quire.EINVALID},
		{testUserID, "n", [][]byte{[]byte("{")}, quire.EINTERNAL},
		{testUserID, "n", [][]byte{[]byte("{}")}, quire.EINTERNAL},
	} {
		_, err := NewPasskeyUser(c.id, c.name, c.creds)
		wantCode(t, err, c.code)
	}
}

// tamper decodes state, changes it and encodes it again.
func tamper(t *testing.T, state []byte, change func(*ceremonyState)) []byte {
	t.Helper()
	var s ceremonyState
	if err := json.Unmarshal(state, &s); err != nil {
		t.Fatal(err)
	}
	change(&s)
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPasskeyStateRefused(t *testing.T) {
	p, a := mustPasskeys(t), webauthntest.New(t, testRPID)
	user := mustUser(t, testUserID)
	opts, state, err := p.BeginRegistration(user)
	if err != nil {
		t.Fatal(err)
	}
	var s ceremonyState
	if err := json.Unmarshal(state, &s); err != nil {
		t.Fatal(err)
	}
	if life := time.Until(s.Session.Expires); life <= 0 || life > CeremonyTimeout {
		t.Fatalf("state expires in %v", life)
	}
	for name, bad := range map[string][]byte{
		"expired":   tamper(t, state, func(s *ceremonyState) { s.Session.Expires = time.Now().Add(-time.Second) }),
		"no expiry": tamper(t, state, func(s *ceremonyState) { s.Session.Expires = time.Time{} }),
		"login":     tamper(t, state, func(s *ceremonyState) { s.Kind = kindLogin }),
		"empty":     nil,
		"garbage":   []byte("not json"),
		"huge":      []byte(strings.Repeat(" ", maxStateLen+1)),
	} {
		_, _, err := p.FinishRegistration(user, bad, a.Create(opts))
		if quire.ErrorCode(err) != quire.ETOKENINVALID {
			t.Errorf("%s: error %v, want %s", name, err, quire.ETOKENINVALID)
		}
	}
	// The untouched state still works: the refusals above were the tampering.
	if _, _, err := p.FinishRegistration(user, state, a.Create(opts)); err != nil {
		t.Fatal(err)
	}
}

func TestPasskeyStateExpiresAfterTimeout(t *testing.T) {
	p, a := mustPasskeys(t), webauthntest.New(t, testRPID)
	user := mustUser(t, testUserID, register(t, p, a, mustUser(t, testUserID)))
	opts, state, err := p.BeginLogin(user)
	if err != nil {
		t.Fatal(err)
	}
	p.now = func() time.Time { return time.Now().Add(CeremonyTimeout + time.Second) }
	_, err = p.FinishLogin(user, state, a.Get(opts))
	wantCode(t, err, quire.ETOKENINVALID)
}

func TestPasskeyLoginStateKinds(t *testing.T) {
	p, a := mustPasskeys(t), webauthntest.New(t, testRPID)
	data := register(t, p, a, mustUser(t, testUserID))
	user := mustUser(t, testUserID, data)
	// Passwordless state cannot finish a second-factor login, and the other
	// way round.
	opts, state, err := p.BeginLogin(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.FinishLogin(user, state, a.Get(opts))
	wantCode(t, err, quire.ETOKENINVALID)
	opts, state, err = p.BeginLogin(user)
	if err != nil {
		t.Fatal(err)
	}
	find := func(string) (*PasskeyUser, error) { return user, nil }
	_, err = p.FinishPasswordlessLogin(find, state, a.Get(opts))
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
	_, err = p.FinishLogin(nil, state, a.Get(opts))
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
}

func TestPasskeyMalformedResponses(t *testing.T) {
	p, a := mustPasskeys(t), webauthntest.New(t, testRPID)
	user := mustUser(t, testUserID)
	_, state, err := p.BeginRegistration(user)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"", "{}", "null", `{"id":1}`, strings.Repeat("x", maxResponseLen+1)} {
		_, _, err := p.FinishRegistration(user, state, []byte(body))
		wantCode(t, err, quire.EINVALID)
	}
	user = mustUser(t, testUserID, register(t, p, a, user))
	_, state, err = p.BeginLogin(user)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"", "{}", "null", `{"id":1}`, strings.Repeat("x", maxResponseLen+1)} {
		_, err := p.FinishLogin(user, state, []byte(body))
		wantCode(t, err, quire.EINVALIDCREDENTIALS)
	}
}
