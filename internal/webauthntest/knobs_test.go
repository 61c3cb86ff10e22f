package webauthntest

import "testing"

// TestKnobs checks that each exported field, and ReplaceKey, changes what
// the next assertion says, and only that.
func TestKnobs(t *testing.T) {
	cases := []struct {
		name string
		turn func(*Authenticator)
		want func(*testing.T, assertion)
	}{
		{"origin", func(a *Authenticator) { a.Origin = "https://evil.example" }, func(t *testing.T, got assertion) {
			if got.client.Origin != "https://evil.example" || !got.signed {
				t.Errorf("%+v", got)
			}
		}},
		{"relying party", func(a *Authenticator) { a.RPID = "evil.example" }, func(t *testing.T, got assertion) {
			wantRelyingParty(t, got.authData, "evil.example", flagUP|flagUV, 2)
		}},
		{"challenge", func(a *Authenticator) { a.Challenge = "forged" }, func(t *testing.T, got assertion) {
			if got.client.Challenge != "forged" || !got.signed {
				t.Errorf("%+v", got)
			}
		}},
		{"sign count", func(a *Authenticator) { a.SignCount = 9 }, func(t *testing.T, got assertion) {
			wantRelyingParty(t, got.authData, "quire.test", flagUP|flagUV, 10)
		}},
		{"user handle", func(a *Authenticator) { a.UserHandle = []byte("user-2") }, func(t *testing.T, got assertion) {
			wantBytes(t, "user handle", got.userHandle, []byte("user-2"))
		}},
		{"key", (*Authenticator).ReplaceKey, func(t *testing.T, got assertion) {
			if got.signed {
				t.Error("the signature of a replaced key verifies with the registered key")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := New(t, "quire.test")
			key := register(t, a)
			if first := get(t, a, key); !first.signed {
				t.Fatal("the first assertion does not verify")
			}
			id := a.CredentialID()
			c.turn(a)
			c.want(t, get(t, a, key))
			wantBytes(t, "credential ID", a.CredentialID(), id)
		})
	}
}

// TestCredentialIDIsACopy checks that a caller cannot change the
// credential through the slice it was given.
func TestCredentialIDIsACopy(t *testing.T) {
	a := New(t, "quire.test")
	id := a.CredentialID()
	id[0] ^= 0xff
	if a.CredentialID()[0] == id[0] {
		t.Fatal("CredentialID returned the authenticator's own slice")
	}
}
