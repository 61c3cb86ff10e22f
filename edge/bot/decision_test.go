package bot

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
)

// TestDecisionCarriesNoRequestContent sends User-Agents full of canary
// text, on every route class and with the claim both checked and not, and
// checks that neither the decision (its Name and Reason) nor its log line
// holds any.
func TestDecisionCarriesNoRequestContent(t *testing.T) {
	const canary = "CANARY7f3a"
	dns := newFakeDNS()
	dns.set(googleIP, googlePTR, googleIP)
	d := mustNew(t, DefaultConfig(), WithResolver(dns))
	for _, ua := range []string{
		"sqlmap/1.7 " + canary,
		canary + " Googlebot/2.1 " + canary,
		"Mozilla/5.0 " + canary,
		canary,
	} {
		for _, class := range append(RouteClasses, Health, "unknown") {
			for _, ip := range []string{googleIP, "198.51.100.7"} {
				dec := d.Decide(context.Background(), class, uaRequest(ua), netip.MustParseAddr(ip))
				var buf bytes.Buffer
				slog.New(slog.NewJSONHandler(&buf, nil)).Info("bot", "decision", dec)
				low := strings.ToLower(canary)
				for _, s := range []string{buf.String(), dec.Name, dec.Reason, dec.Vendor} {
					if strings.Contains(strings.ToLower(s), low) {
						t.Errorf("%s %q: request content in the decision: %s", class, ua, s)
					}
				}
				if !strings.Contains(buf.String(), `"category"`) || !strings.Contains(buf.String(), `"reason"`) {
					t.Errorf("log line lacks the decision: %s", buf.String())
				}
			}
		}
	}
}

// TestDecisionLogValue pins the log attributes of a decision about a
// spoofed claim in dry run.
func TestDecisionLogValue(t *testing.T) {
	p := mustNew(t, Config{DryRun: true}).Policy()
	dec := p.Decide(Public, Result{Category: Spoofed, Name: "Googlebot", Vendor: "google", Verification: NoPTR, Signals: BareBrowser})
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("bot", "decision", dec)
	for _, want := range []string{
		"decision.class=public", "decision.category=spoofed", "decision.action=deny",
		"decision.name=Googlebot", "decision.vendor=google", "decision.verification=no_ptr",
		"decision.signals=bare_browser", "decision.dry_run=true",
		`decision.reason="spoofed google bot (no_ptr) denied on public (dry run: not blocked)"`,
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log line lacks %s: %s", want, buf.String())
		}
	}
	if dec.Blocked() {
		t.Error("dry run blocked")
	}
}
