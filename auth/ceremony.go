package auth

import (
	"crypto/subtle"
	"sync"
	"time"

	"github.com/quirehq/quire"
)

// ceremonyTTL is how long a passkey ceremony may take.
const ceremonyTTL = 5 * time.Minute

// maxCeremonies bounds the pending ceremonies anyone may start
// (passwordless sign-in). Those a session starts are counted apart and
// each session holds at most one (a new one replaces it), so neither a
// flood of anonymous ones nor one busy session can block other users
// from adding a passkey or finishing a sign-in with one.
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
	// anonymous counts the pending ceremonies without a session.
	anonymous int
	// bySession is the pending ceremony of each session.
	bySession map[string]string
}

func newCeremonies() *ceremonies {
	return &ceremonies{m: map[string]*ceremony{}, bySession: map[string]string{}}
}

// put stores c and returns its ID.
func (cs *ceremonies) put(c *ceremony, now time.Time) (string, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for id, x := range cs.m {
		if now.After(x.expires) {
			cs.remove(id, x)
		}
	}
	if c.session == "" && cs.anonymous >= maxCeremonies {
		return "", quire.Errorf(quire.EUNAVAILABLE, "Too many passkey requests at once. Try again shortly.")
	}
	if old, ok := cs.bySession[c.session]; ok && c.session != "" {
		cs.remove(old, cs.m[old])
	}
	id := newSecret()
	c.expires = now.Add(ceremonyTTL)
	cs.m[id] = c
	if c.session == "" {
		cs.anonymous++
	} else {
		cs.bySession[c.session] = id
	}
	return id, nil
}

// remove deletes the ceremony id (x) and keeps the count; the caller holds
// the lock.
func (cs *ceremonies) remove(id string, x *ceremony) {
	delete(cs.m, id)
	if x.session == "" {
		cs.anonymous--
	} else if cs.bySession[x.session] == id {
		delete(cs.bySession, x.session)
	}
}

// take removes and returns the ceremony if it is of the kind, belongs to
// the session and has not expired; a ceremony is used once.
func (cs *ceremonies) take(id, kind, session string, now time.Time) (*ceremony, error) {
	cs.mu.Lock()
	c, ok := cs.m[id]
	if ok {
		cs.remove(id, c)
	}
	cs.mu.Unlock()
	if !ok || c.kind != kind || now.After(c.expires) ||
		subtle.ConstantTimeCompare([]byte(c.session), []byte(session)) != 1 {
		return nil, quire.Errorf(quire.ETOKENINVALID, "The passkey request expired. Start again.")
	}
	return c, nil
}
