package redact

import (
	"errors"
	"fmt"
)

// Options configure a Redactor.
type Options struct {
	// Kinds lists the kinds to redact; empty means all of them.
	Kinds []Kind
}

// Redactor detects personal data and secrets. It is compiled once (New
// loads and compiles the gitleaks rules when secrets are on) and is safe
// for concurrent use; each request gets its own Session.
type Redactor struct {
	on      [numKinds]bool
	numbers numbers
	secrets *secrets
}

// ErrUnknownKind is returned by New for a Kind that is not one of the
// constants.
var ErrUnknownKind = errors.New("redact: unknown kind")

// New returns a Redactor for the kinds o names.
func New(o Options) (*Redactor, error) {
	r := &Redactor{}
	kinds := o.Kinds
	if len(kinds) == 0 {
		kinds = AllKinds()
	}
	for _, k := range kinds {
		if !k.valid() {
			return nil, fmt.Errorf("%w: %d", ErrUnknownKind, k)
		}
		r.on[k] = true
	}
	r.numbers = numbers{card: r.on[CardNumber], ssn: r.on[NationalID], phone: r.on[Phone]}
	if r.on[Secret] {
		sc, err := loadSecrets()
		if err != nil {
			return nil, err
		}
		r.secrets = sc
	}
	return r, nil
}

// Enabled reports whether r redacts kind k.
func (r *Redactor) Enabled(k Kind) bool { return k.valid() && r.on[k] }

// Only returns a Redactor that redacts the kinds of r that are also in
// kinds (a workspace's narrower choice); it shares r's compiled rules, so
// it is cheap enough to make per request. An empty kinds returns r.
func (r *Redactor) Only(kinds []Kind) *Redactor {
	if len(kinds) == 0 {
		return r
	}
	n := &Redactor{secrets: r.secrets}
	for _, k := range kinds {
		if k.valid() && r.on[k] {
			n.on[k] = true
		}
	}
	if !n.on[Secret] {
		n.secrets = nil
	}
	n.numbers = numbers{card: n.on[CardNumber], ssn: n.on[NationalID], phone: n.on[Phone]}
	return n
}

// Session returns a new session: one per gateway request, or per
// conversation when the caller keeps it across turns.
func (r *Redactor) Session() *Session {
	return &Session{r: r}
}

// find returns the entities and placeholder-shaped texts of s, sorted and
// without overlaps.
func (r *Redactor) find(s string) []span {
	if s == "" {
		return nil
	}
	var c []span
	c = findLiterals(s, c)
	if r.secrets != nil {
		c = r.secrets.find(s, c, false)
	}
	if r.on[Email] {
		c = findEmails(s, c)
	}
	if r.on[IBAN] {
		c = findIBANs(s, c)
	}
	if r.on[NationalID] {
		c = findNINOs(s, c)
	}
	if r.on[IPAddress] {
		c = findIPs(s, c)
	}
	if r.numbers.card || r.numbers.ssn || r.numbers.phone {
		c = r.numbers.find(s, c)
	}
	return resolve(c)
}
