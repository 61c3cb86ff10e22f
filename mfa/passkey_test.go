package mfa

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/internal/webauthntest"
)

const (
	testRPID   = "quire.test"
	testOrigin = "https://quire.test"
	testUserID = "abcdefghijklmnopqrstuvwxyz"
)

// b64 is the encoding of binary values in WebAuthn JSON.
var b64 = base64.RawURLEncoding

func mustPasskeys(t testing.TB) *Passkeys {
	t.Helper()
	p, err := NewPasskeys(testRPID, "Quire", []string{testOrigin})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustUser(t testing.TB, id string, creds ...[]byte) *PasskeyUser {
	t.Helper()
	u, err := NewPasskeyUser(id, "ada@example.com", creds)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// register runs a whole registration ceremony and returns the stored data.
func register(t *testing.T, p *Passkeys, a *webauthntest.Authenticator, user *PasskeyUser) []byte {
	t.Helper()
	opts, state, err := p.BeginRegistration(user)
	if err != nil {
		t.Fatal(err)
	}
	data, id, err := p.FinishRegistration(user, state, a.Create(opts))
	if err != nil {
		t.Fatalf("FinishRegistration: %v", err)
	}
	if string(id) != string(a.CredentialID()) {
		t.Fatalf("credential ID %x, want %x", id, a.CredentialID())
	}
	return data
}

// login runs a login ceremony as the user (a second factor).
func login(t *testing.T, p *Passkeys, a *webauthntest.Authenticator, user *PasskeyUser) (*PasskeyLogin, error) {
	t.Helper()
	opts, state, err := p.BeginLogin(user)
	if err != nil {
		t.Fatal(err)
	}
	return p.FinishLogin(user, state, a.Get(opts))
}

func signCount(t *testing.T, data []byte) uint32 {
	t.Helper()
	var c webauthn.Credential
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c.Authenticator.SignCount
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if quire.ErrorCode(err) != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
}

func TestPasskeyRegistrationAndLogin(t *testing.T) {
	p, a := mustPasskeys(t), webauthntest.New(t, testRPID)
	data := register(t, p, a, mustUser(t, testUserID))
	if string(a.UserHandle) != testUserID {
		t.Fatalf("user handle %q, want the user ID", a.UserHandle)
	}
	for want := uint32(1); want <= 3; want++ {
		got, err := login(t, p, a, mustUser(t, testUserID, data))
		if err != nil {
			t.Fatalf("login %d: %v", want, err)
		}
		if got.UserID != testUserID || string(got.CredentialID) != string(a.CredentialID()) {
			t.Fatalf("login %d: %+v", want, got)
		}
		if n := signCount(t, got.Data); n != want {
			t.Fatalf("login %d: stored sign count %d", want, n)
		}
		data = got.Data
	}
}

func TestPasskeyPasswordlessLogin(t *testing.T) {
	p, a := mustPasskeys(t), webauthntest.New(t, testRPID)
	data := register(t, p, a, mustUser(t, testUserID))
	opts, state, err := p.BeginLogin(nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(opts), "allowCredentials") {
		t.Fatalf("passwordless options name credentials: %s", opts)
	}
	var asked string
	find := func(id string) (*PasskeyUser, error) { asked = id; return mustUser(t, id, data), nil }
	got, err := p.FinishPasswordlessLogin(find, state, a.Get(opts))
	if err != nil {
		t.Fatal(err)
	}
	if asked != testUserID || got.UserID != testUserID || signCount(t, got.Data) != 1 {
		t.Fatalf("asked %q, got %+v", asked, got)
	}
}

func TestPasskeyPasswordlessFinderErrors(t *testing.T) {
	p, a := mustPasskeys(t), webauthntest.New(t, testRPID)
	register(t, p, a, mustUser(t, testUserID))
	cases := []struct {
		name string
		find PasskeyUserFinder
		code string
	}{
		{"unknown user", func(string) (*PasskeyUser, error) { return nil, quire.Errorf(quire.ENOTFOUND, "x") }, quire.EINVALIDCREDENTIALS},
		{"nil user", func(string) (*PasskeyUser, error) { return nil, nil }, quire.EINVALIDCREDENTIALS},
		{"store down", func(string) (*PasskeyUser, error) { return nil, errors.New("db down") }, quire.EINTERNAL},
		{"user without the passkey", func(id string) (*PasskeyUser, error) { return mustUser(t, id), nil }, quire.EINVALIDCREDENTIALS},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts, state, err := p.BeginLogin(nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.FinishPasswordlessLogin(c.find, state, a.Get(opts))
			wantCode(t, err, c.code)
		})
	}
}

func TestPasskeyRegistrationOptions(t *testing.T) {
	p, a := mustPasskeys(t), webauthntest.New(t, testRPID)
	data := register(t, p, a, mustUser(t, testUserID))
	opts, _, err := p.BeginRegistration(mustUser(t, testUserID, data))
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		PublicKey struct {
			RP          struct{ ID, Name string } `json:"rp"`
			Timeout     int                       `json:"timeout"`
			Attestation string                    `json:"attestation"`
			Selection   struct {
				ResidentKey      string `json:"residentKey"`
				UserVerification string `json:"userVerification"`
			} `json:"authenticatorSelection"`
			Exclude []struct{ ID string } `json:"excludeCredentials"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(opts, &o); err != nil {
		t.Fatal(err)
	}
	pk := o.PublicKey
	if pk.RP.ID != testRPID || pk.RP.Name != "Quire" || pk.Timeout != 300000 || pk.Attestation != "none" ||
		pk.Selection.ResidentKey != "preferred" || pk.Selection.UserVerification != "preferred" {
		t.Fatalf("options: %s", opts)
	}
	if len(pk.Exclude) != 1 || pk.Exclude[0].ID != b64.EncodeToString(a.CredentialID()) {
		t.Fatalf("the registered passkey is not excluded: %s", opts)
	}
}

func TestPasskeyRegistrationRefusesKnownCredential(t *testing.T) {
	p, a := mustPasskeys(t), webauthntest.New(t, testRPID)
	data := register(t, p, a, mustUser(t, testUserID))
	user := mustUser(t, testUserID, data)
	opts, state, err := p.BeginRegistration(user)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = p.FinishRegistration(user, state, a.Create(opts))
	wantCode(t, err, quire.ECONFLICT)
}

func TestPasskeyWrongChallenge(t *testing.T) {
	p := mustPasskeys(t)
	a := webauthntest.New(t, testRPID)
	a.Challenge = b64.EncodeToString([]byte("a challenge the server never issued"))
	user := mustUser(t, testUserID)
	opts, state, err := p.BeginRegistration(user)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = p.FinishRegistration(user, state, a.Create(opts))
	wantCode(t, err, quire.EINVALID)

	a.Challenge = ""
	data := register(t, p, a, user)
	a.Challenge = b64.EncodeToString([]byte("a challenge the server never issued"))
	_, err = login(t, p, a, mustUser(t, testUserID, data))
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
}

func TestPasskeyStateOfAnotherCeremony(t *testing.T) {
	p, a := mustPasskeys(t), webauthntest.New(t, testRPID)
	user := mustUser(t, testUserID, register(t, p, a, mustUser(t, testUserID)))
	// A response to one login, presented with the state of another.
	opts, _, err := p.BeginLogin(user)
	if err != nil {
		t.Fatal(err)
	}
	_, otherState, err := p.BeginLogin(user)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.FinishLogin(user, otherState, a.Get(opts))
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
}

func TestPasskeyWrongOrigin(t *testing.T) {
	p := mustPasskeys(t)
	a := webauthntest.New(t, testRPID)
	a.Origin = "https://quire.test.evil.example"
	user := mustUser(t, testUserID)
	opts, state, err := p.BeginRegistration(user)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = p.FinishRegistration(user, state, a.Create(opts))
	wantCode(t, err, quire.EINVALID)

	a.Origin = testOrigin
	data := register(t, p, a, user)
	a.Origin = "http://quire.test" // same host, no TLS
	_, err = login(t, p, a, mustUser(t, testUserID, data))
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
}

func TestPasskeyWrongRelyingParty(t *testing.T) {
	p, a := mustPasskeys(t), webauthntest.New(t, testRPID)
	data := register(t, p, a, mustUser(t, testUserID))
	a.RPID = "evil.example"
	_, err := login(t, p, a, mustUser(t, testUserID, data))
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
}

func TestPasskeyWrongKey(t *testing.T) {
	p, a := mustPasskeys(t), webauthntest.New(t, testRPID)
	data := register(t, p, a, mustUser(t, testUserID))
	a.ReplaceKey() // same credential ID, another key
	_, err := login(t, p, a, mustUser(t, testUserID, data))
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
}

func TestPasskeySignCountRegression(t *testing.T) {
	p, a := mustPasskeys(t), webauthntest.New(t, testRPID)
	data := register(t, p, a, mustUser(t, testUserID))
	a.SignCount = 9
	got, err := login(t, p, a, mustUser(t, testUserID, data))
	if err != nil {
		t.Fatal(err)
	}
	a.SignCount = 4 // a clone that signed fewer times
	_, err = login(t, p, a, mustUser(t, testUserID, got.Data))
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
	if !errors.Is(err, ErrSignCount) {
		t.Fatalf("error %v is not ErrSignCount", err)
	}
	a.SignCount = 9 // equal is a regression too: the counter must grow
	_, err = login(t, p, a, mustUser(t, testUserID, got.Data))
	if !errors.Is(err, ErrSignCount) {
		t.Fatalf("error %v is not ErrSignCount", err)
	}
}

func TestPasskeyLoginOtherUser(t *testing.T) {
	p, a := mustPasskeys(t), webauthntest.New(t, testRPID)
	data := register(t, p, a, mustUser(t, testUserID))
	opts, state, err := p.BeginLogin(mustUser(t, testUserID, data))
	if err != nil {
		t.Fatal(err)
	}
	other := mustUser(t, "bbbbbbbbbbbbbbbbbbbbbbbbbb", data)
	_, err = p.FinishLogin(other, state, a.Get(opts))
	wantCode(t, err, quire.EINVALIDCREDENTIALS)
}

func TestPasskeyBeginLoginWithoutPasskeys(t *testing.T) {
	_, _, err := mustPasskeys(t).BeginLogin(mustUser(t, testUserID))
	wantCode(t, err, quire.ENOTFOUND)
}
