// Package mail sends Quire's transactional email: address verification,
// password reset, account-lock and new-sign-in notices.
//
// Two Senders exist. Outbox, for development, writes each message as an
// RFC 5322 .eml file under the data directory and logs where. SMTP delivers
// through a relay over TLS 1.2+ with certificate verification (claim
// TLS-2): STARTTLS is mandatory by default, implicit TLS is available, and
// plaintext is refused except to a loopback host.
//
// Every message is built from embedded templates (text/template for the
// text part, html/template for the HTML part): plain, no tracking, no remote
// images. Recipient addresses and header values are validated before a
// message is built, so that user input can never add a header or a
// recipient (header injection).
package mail
