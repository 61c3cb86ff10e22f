package mfa

import (
	"encoding/json"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/quirehq/quire"
)

// CeremonyTimeout is how long a passkey ceremony may take from Begin to
// Finish. The browser is told the same, and Finish refuses older state.
const CeremonyTimeout = 5 * time.Minute

// maxStateLen bounds the ceremony state Finish decodes.
const maxStateLen = 16 << 10

// Ceremony kinds, recorded in the state so that the state of one kind of
// ceremony cannot finish another.
const (
	kindRegister = "register"
	kindLogin    = "login"
)

// ceremonyState is the opaque state a Begin returns: the library's session
// data (challenge, user handle, expiry) and the ceremony kind.
type ceremonyState struct {
	Kind    string               `json:"kind"`
	Session webauthn.SessionData `json:"session"`
}

// errState is the one answer to any state that cannot finish a ceremony:
// expired, of the other kind, or not state at all.
func errState(cause error) error {
	return quire.WrapError(quire.ETOKENINVALID, "The passkey request expired. Please try again.", cause)
}

// encodeState serialises session for the caller to keep server-side.
func encodeState(kind string, session *webauthn.SessionData) ([]byte, error) {
	b, err := json.Marshal(ceremonyState{Kind: kind, Session: *session})
	if err != nil {
		return nil, quire.WrapError(quire.EINTERNAL, "Could not start the passkey request.", err)
	}
	return b, nil
}

// decodeState returns the session of a ceremony of kind begun less than
// CeremonyTimeout before now. State without an expiry is refused.
func decodeState(state []byte, kind string, now time.Time) (webauthn.SessionData, error) {
	var s ceremonyState
	if len(state) == 0 || len(state) > maxStateLen {
		return s.Session, errState(nil)
	}
	if err := json.Unmarshal(state, &s); err != nil {
		return s.Session, errState(err)
	}
	if s.Kind != kind || s.Session.Challenge == "" || s.Session.Expires.IsZero() || !now.Before(s.Session.Expires) {
		return s.Session, errState(nil)
	}
	return s.Session, nil
}
