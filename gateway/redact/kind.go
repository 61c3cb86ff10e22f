package redact

// Kind is a kind of entity the redactor replaces.
type Kind uint8

// Kinds of entity. The zero Kind is not a kind.
const (
	Email Kind = iota + 1
	Phone
	CardNumber
	IBAN
	NationalID
	IPAddress
	Secret
	numKinds = iota + 1 // one past the last kind, for arrays indexed by Kind
)

// kindNames are the configuration names (ParseKind, String); kindLabels
// name the kind inside a placeholder.
var (
	kindNames  = [numKinds]string{"", "email", "phone", "card", "iban", "national_id", "ip", "secret"}
	kindLabels = [numKinds]string{"", "EMAIL", "PHONE", "CARD", "IBAN", "NATIONAL_ID", "IP", "SECRET"}
)

// AllKinds lists every kind, in the order of its constants.
func AllKinds() []Kind {
	return []Kind{Email, Phone, CardNumber, IBAN, NationalID, IPAddress, Secret}
}

// String returns the configuration name of k ("email", "national_id", …),
// or "unknown".
func (k Kind) String() string {
	if k.valid() {
		return kindNames[k]
	}
	return "unknown"
}

// ParseKind returns the Kind named s, as String spells it.
func ParseKind(s string) (Kind, bool) {
	for k := Email; k < numKinds; k++ {
		if kindNames[k] == s {
			return k, true
		}
	}
	return 0, false
}

func (k Kind) valid() bool { return k >= Email && k < numKinds }
