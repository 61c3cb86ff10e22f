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
	// KindFolderInvite invites the recipient to a folder someone shared
	// with them. Data: "inviter" (an address), "permission" ("read" or
	// "write"), "expires", "link". It names no folder: what is in a
	// workspace stays out of email.
	KindFolderInvite = "folder_invite"
	// KindSecurityReportReceived tells a vulnerability reporter that the
	// report arrived. Data: "reference" (the report's ID), "received",
	// "due". It repeats nothing the reporter wrote: the address is not
	// verified, so the message must be of no use to someone sending it to
	// another person's address.
	KindSecurityReportReceived = "security_report_received"
	// KindSecurityReportAlert tells the operator that a vulnerability
	// report arrived. Data: "reference", "received", "due". The report
	// itself stays encrypted in the store: `quire admin reports show`.
	KindSecurityReportAlert = "security_report_alert"
	// KindSecurityReportOverdue reminds the operator that a report is
	// still unacknowledged as its deadline nears. Data as for the alert.
	KindSecurityReportOverdue = "security_report_overdue"
	// KindSecurityReportDigest tells the operator, once an hour at most,
	// that more reports arrived than the hourly alert budget: Data
	// "count" (how many went without an alert of their own), "since".
	// It names no report: `quire admin reports list` does.
	KindSecurityReportDigest = "security_report_digest"
	// KindSecurityReportStatus tells a vulnerability reporter that the
	// report was acknowledged, resolved or rejected. Data: "reference",
	// "status", "time". Like the receipt, it repeats nothing the
	// reporter wrote.
	KindSecurityReportStatus = "security_report_status"
	// KindEmailChangeConfirm asks a new address to confirm that it is to
	// become the account's address. Data: "link".
	KindEmailChangeConfirm = "email_change_confirm"
	// KindEmailChangeNotice tells the account's current address that a
	// change of address was requested, which takes effect only once the
	// new address confirms it. Data: "time". It does not name the new
	// address.
	KindEmailChangeNotice = "email_change_notice"
	// KindAccountDeleted is the receipt of an account deletion: the keys
	// are shredded (or, status "pending", left to the purge), the rest is
	// purged by the deadline. Data: "requested", "deadline", "status".
	KindAccountDeleted = "account_deleted"
)

// DefaultFrom is the sender address used in development when none is
// configured.
const DefaultFrom = "Quire <quire@localhost>"

// kindFields lists, per kind, the Data keys the templates use. Each is
// required and no other key is accepted, so a misspelt key fails loudly
// instead of rendering an empty link.
var kindFields = map[string][]string{
	KindVerifyEmail:            {"link"},
	KindResetPassword:          {"link"},
	KindAccountLocked:          {"when", "until"},
	KindNewSignIn:              {"time", "device"},
	KindSecurityChange:         {"time", "change"},
	KindFolderInvite:           {"inviter", "permission", "expires", "link"},
	KindSecurityReportReceived: {"reference", "received", "due"},
	KindSecurityReportAlert:    {"reference", "received", "due"},
	KindSecurityReportOverdue:  {"reference", "received", "due"},
	KindSecurityReportDigest:   {"count", "since"},
	KindSecurityReportStatus:   {"reference", "status", "time"},
	KindEmailChangeConfirm:     {"link"},
	KindEmailChangeNotice:      {"time"},
	KindAccountDeleted:         {"requested", "deadline", "status"},
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

// FolderInvite returns the invitation to a shared folder: inviter's
// address, the permission granted, when the link expires, and the link.
func FolderInvite(to, inviter, permission string, expires time.Time, link string) Message {
	return Message{To: to, Kind: KindFolderInvite, Data: map[string]string{"inviter": inviter,
		"permission": permission, "expires": formatTime(expires), "link": link}}
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
