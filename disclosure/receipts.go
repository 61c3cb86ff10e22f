package disclosure

import (
	"context"
	"strings"
	"time"
)

// receiptAllowed reports whether the reporter at email may get a receipt
// now, and spends one if so. Three budgets bound what the intake can send
// to addresses nobody verified: ReceiptsPerAddress a day to one mailbox
// (its canonical form, so that case and +tags do not multiply it),
// ReceiptsPerDomain a day to one domain, and ReceiptsPerHour an hour in
// all. The limiter forgets the least recently used keys when it is full,
// so that a flood of addresses cannot stop receipts to new ones.
func (s *Service) receiptAllowed(ctx context.Context, email string) bool {
	mailbox, domain := canonicalMailbox(email)
	if !s.spend(ctx, perPeriod(s.cfg.ReceiptsPerAddress, day), "receipt-mailbox", hashKey(mailbox)).Allowed {
		return false
	}
	if !s.spend(ctx, perPeriod(s.cfg.ReceiptsPerDomain, day), "receipt-domain", hashKey(domain)).Allowed {
		return false
	}
	return s.spend(ctx, perPeriod(s.cfg.ReceiptsPerHour, time.Hour), "receipts").Allowed
}

// canonicalMailbox returns the mailbox email delivers to, for counting:
// lower case, without a +tag in the local part, and its domain.
func canonicalMailbox(email string) (mailbox, domain string) {
	email = strings.ToLower(email)
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return email, ""
	}
	local, domain := email[:at], email[at+1:]
	if plus := strings.IndexByte(local, '+'); plus > 0 {
		local = local[:plus]
	}
	return local + "@" + domain, domain
}
