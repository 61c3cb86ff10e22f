package mail

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestOutboxSecurityReportKinds renders the messages of the
// vulnerability intake: each names the reference and both times in both
// parts, has its own subject, and carries no link line.
func TestOutboxSecurityReportKinds(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC)
	ref := "k5qzm3x7w2ab4cd6ef7gh2ij3k"
	tests := []struct {
		msg     Message
		subject string
		want    []string
	}{
		{SecurityReportReceived("r@example.com", ref, at, at.Add(48*time.Hour)), "We received your security report",
			[]string{ref, "Wed, 4 Mar 2026 05:06 UTC", "Fri, 6 Mar 2026 05:06 UTC", "did not send a security report"}},
		{SecurityReportAlert("ops@example.com", ref, at, at.Add(48*time.Hour)), "New security report " + ref,
			[]string{ref, "Wed, 4 Mar 2026 05:06 UTC", "Fri, 6 Mar 2026 05:06 UTC", "quire admin reports show " + ref}},
		{SecurityReportOverdue("ops@example.com", ref, at, at.Add(48*time.Hour)), "Security report " + ref + " is still unacknowledged",
			[]string{ref, "Wed, 4 Mar 2026 05:06 UTC", "Fri, 6 Mar 2026 05:06 UTC", "quire admin reports ack " + ref}},
		{SecurityReportDigest("ops@example.com", 17, at), "More security reports than alerts this hour",
			[]string{"17 more security report(s)", "Wed, 4 Mar 2026 05:06 UTC", "quire admin reports list"}},
		{SecurityReportStatus("r@example.com", ref, "acknowledged", at), "Your security report " + ref + " is acknowledged",
			[]string{ref, "marked acknowledged on Wed, 4 Mar 2026 05:06 UTC", "did not send a security report"}},
	}
	for _, tt := range tests {
		t.Run(tt.msg.Kind, func(t *testing.T) {
			o, _ := newOutbox(t)
			if err := o.Send(context.Background(), tt.msg); err != nil {
				t.Fatal(err)
			}
			m := readEML(t, onlyFile(t, o.Dir))
			if got := m.header.Get("Subject"); got != tt.subject {
				t.Errorf("Subject = %q, want %q", got, tt.subject)
			}
			for _, w := range tt.want {
				if !strings.Contains(m.text, w) || !strings.Contains(m.html, w) {
					t.Errorf("a part lacks %q:\ntext:\n%s\nhtml:\n%s", w, m.text, m.html)
				}
			}
			if linkLine.MatchString(m.text) {
				t.Errorf("the text part holds a link line:\n%s", m.text)
			}
		})
	}
}

// TestSecurityReportMessageNeedsItsData refuses a report message with a
// value missing, as every kind does.
func TestSecurityReportMessageNeedsItsData(t *testing.T) {
	m := SecurityReportAlert("ops@example.com", "ref", time.Now(), time.Now())
	delete(m.Data, "due")
	o, _ := newOutbox(t)
	if err := o.Send(context.Background(), m); err == nil {
		t.Fatal("a report alert without its deadline was sent")
	}
}
