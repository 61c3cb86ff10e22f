package mail

import (
	"context"
	"time"

	"github.com/quirehq/quire"
)

// Kinds of message. Each names one template set under templates/.
const (
	// KindVerifyEmail asks the user to confirm an address. Data: "link".
	KindVerifyEmail = "verify_email"
	// KindResetPassword carries a password-reset link. Data: "link".
	KindResetPassword = "reset_password"
	// KindAccountLocked tells the owner that the account was locked after
	// repeated failed sign-ins. Data: "when", "until".
	KindAccountLocked = "account_locked"
	// KindNewSignIn tells the owner about a sign-in from a new device.
	// Data: "time", "device".
	KindNewSignIn = "new_sign_in"
	// KindSecurityChange tells the owner that a way into the account was
	// added or changed (a password, a second factor, an API key). Data:
	// "time", "change".
	KindSecurityChange = "security_change"
)

// DefaultFrom is the sender address used in development when none is
// configured.
const DefaultFrom = "Quire <quire@localhost>"

// kindFields lists, per kind, the Data keys the templates use. Each is
// required and no other key is accepted, so a misspelt key fails loudly
// instead of rendering an empty link.
var kindFields = map[string][]string{
	KindVerifyEmail:    {"link"},
	KindResetPassword:  {"link"},
	KindAccountLocked:  {"when", "until"},
	KindNewSignIn:      {"time", "device"},
	KindSecurityChange: {"time", "change"},
}

// Message is one transactional email before rendering.
type Message struct {
	// To is the recipient: one address, optionally with a display name.
	To string
	// Kind selects the templates; one of the Kind constants.
	Kind string
	// Data holds the values the templates show. "link" must be an absolute
	// http or https URL; other values are plain text, shown escaped.
	Data map[string]string
}

// Sender delivers a Message. Implementations validate the message first and
// return a *quire.Error: EINVALID for a message that must not be sent,
// EUNAVAILABLE for a delivery that failed.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// timeLayout is how times appear in messages; they are always shown in UTC
// because the recipient's zone is unknown.
const timeLayout = "Mon, 2 Jan 2006 15:04 MST"

// formatTime renders t for a message body.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// VerifyEmail returns the message that asks to to confirm its address by
// opening link.
func VerifyEmail(to, link string) Message {
	return Message{To: to, Kind: KindVerifyEmail, Data: map[string]string{"link": link}}
}

// ResetPassword returns the message that carries a password-reset link.
func ResetPassword(to, link string) Message {
	return Message{To: to, Kind: KindResetPassword, Data: map[string]string{"link": link}}
}

// AccountLocked returns the notice of a lock made at when that lasts until
// until; quire.IndefiniteLock reads as a lock only an administrator lifts.
func AccountLocked(to string, when, until time.Time) Message {
	untilText := formatTime(until)
	if until.Equal(quire.IndefiniteLock) {
		untilText = "an administrator unlocks it"
	}
	return Message{To: to, Kind: KindAccountLocked,
		Data: map[string]string{"when": formatTime(when), "until": untilText}}
}

// NewSignIn returns the notice of a sign-in at at from the device described
// by device (for example a browser and operating system). device may come
// from the client: control characters are replaced and it is shortened
// rather than refused.
func NewSignIn(to string, at time.Time, device string) Message {
	return Message{To: to, Kind: KindNewSignIn,
		Data: map[string]string{"time": formatTime(at), "device": cleanDevice(device)}}
}

// SecurityChange returns the notice that change (a fixed sentence such as
// "An authenticator app was turned on.") was made at at.
func SecurityChange(to string, at time.Time, change string) Message {
	return Message{To: to, Kind: KindSecurityChange,
		Data: map[string]string{"time": formatTime(at), "change": change}}
}
