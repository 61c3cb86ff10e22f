package disclosure

import (
	"context"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/quirehq/quire/edge/ratelimit"
)

// TestReceiptBudgetForgetsOldest fills the limiter far past its capacity
// with addresses: new addresses still get receipts (the least recently
// used are forgotten), where a table that refuses once full would stop.
func TestReceiptBudgetForgetsOldest(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	s := &Service{cfg: Config{ReceiptsPerAddress: 1, ReceiptsPerDomain: 1, ReceiptsPerHour: 1 << 20, Now: func() time.Time { return now }}}
	s.log = newDiscardLogger()
	s.lim = ratelimit.NewMemory(ratelimit.MemoryOptions{Capacity: 64, Clock: s.cfg.Now})
	ctx := context.Background()
	for i := range 1000 {
		addr := "a" + strconv.Itoa(i) + "@d" + strconv.Itoa(i) + ".example"
		if !s.receiptAllowed(ctx, addr) {
			t.Fatalf("address %d got no receipt once the limiter was full", i)
		}
	}
	if s.receiptAllowed(ctx, "a999@d999.example") {
		t.Fatal("a recent address got a second receipt")
	}
}

func TestCanonicalMailbox(t *testing.T) {
	for in, want := range map[string][2]string{
		"Victim+Tag@Example.COM": {"victim@example.com", "example.com"},
		"victim@example.com":     {"victim@example.com", "example.com"},
		"+only@example.com":      {"+only@example.com", "example.com"},
		"a+b+c@x.test":           {"a@x.test", "x.test"},
	} {
		if m, d := canonicalMailbox(in); m != want[0] || d != want[1] {
			t.Errorf("canonicalMailbox(%q) = %q, %q, want %q", in, m, d, want)
		}
	}
}

func newDiscardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
