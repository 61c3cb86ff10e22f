// Package disclosure is Quire's vulnerability disclosure (claim VDP-1): the
// security.txt file of RFC 9116, generated from configuration each time it
// is served, and the report intake behind it. A report is stored encrypted
// (quire.SecurityReportService, under the barrier's system scope); the
// reporter gets a receipt at once (within budgets per mailbox, per domain
// and in all) and an email at each answer, and the operator an alert (past
// an hourly budget, one digest an hour). The intake takes a bounded number
// of reports an hour in all. A report must be acknowledged within 48
// hours, and a background scan reminds the operator of every report still
// new 36 hours after it came in, and again every 12 hours while it stays
// so. With a shared (Redis) limiter, instances share every budget.
//
// What reporters write never reaches a log or an email: both carry only
// the report's ID and its times.
package disclosure
