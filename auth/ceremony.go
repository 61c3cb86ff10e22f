package auth

import (
	"crypto/subtle"
	"sync"
	"time"

	"github.com/quirehq/quire"
)

// ceremonyTTL is how long a passkey ceremony may take.
const ceremonyTTL = 5 * time.Minute

// maxCeremonies bounds the pending ceremonies kept in memory.
const maxCeremonies = 10_000

// ceremony is a passkey registration or login in progress: the WebAuthn
// state (with its challenge) stays on the server; the browser holds only
// the ceremony's random ID.
type ceremony struct {
	kind    string
	userID  string // "" for a passwordless login
	session string // the session that began it ("" if none)
	state   []byte
	expires time.Time
}

// ceremonies keeps pending ceremonies in memory. They are short-lived and
// bound to one instance; a browser that lands on another instance starts
// again.
type ceremonies struct {
	mu sync.Mutex
	m  map[string]*ceremony
}

func newCeremonies() *ceremonies { return &ceremonies{m: map[string]*ceremony{}} }

// put stores c and returns its ID.
func (cs *ceremonies) put(c *ceremony, now time.Time) (string, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for id, x := range cs.m {
		if now.After(x.expires) {
			delete(cs.m, id)
		}
	}
	if len(cs.m) >= maxCeremonies {
		return "", quire.Errorf(quire.EUNAVAILABLE, "Too many passkey requests at once. Try again shortly.")
	}
	id := newSecret()
	c.expires = now.Add(ceremonyTTL)
	cs.m[id] = c
	return id, nil
}

// take removes and returns the ceremony if it is of the kind, belongs to
// the session and has not expired; a ceremony is used once.
func (cs *ceremonies) take(id, kind, session string, now time.Time) (*ceremony, error) {
	cs.mu.Lock()
	c, ok := cs.m[id]
	delete(cs.m, id)
	cs.mu.Unlock()
	if !ok || c.kind != kind || now.After(c.expires) ||
		subtle.ConstantTimeCompare([]byte(c.session), []byte(session)) != 1 {
		return nil, quire.Errorf(quire.ETOKENINVALID, "The passkey request expired. Start again.")
	}
	return c, nil
}
