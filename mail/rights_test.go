package mail

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestOutboxDataRightsKinds renders the messages of email changes and
// account deletion: each has its subject and data in both parts, only the
// confirmation carries a link line, and none names another address.
func TestOutboxDataRightsKinds(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC)
	tests := []struct {
		msg     Message
		subject string
		want    []string
		not     []string
	}{
		{EmailChangeConfirm("new@example.com", testLink), "Confirm your new email address for Quire",
			[]string{"keeps its current address", "ignore this email"}, nil},
		{EmailChangeNotice("old@example.com", at), "A change of your Quire email address was requested",
			[]string{"Wed, 4 Mar 2026 05:06 UTC", "change your password"}, nil},
		{AccountDeleted("gone@example.com", at, at.Add(30*24*time.Hour), true), "Your Quire account is deleted",
			[]string{"Wed, 4 Mar 2026 05:06 UTC", "Fri, 3 Apr 2026 05:06 UTC", "were destroyed in our database at once",
				"can be decrypted there any more", "backup of our database made before the deletion", "stays readable", "only a member of"},
			[]string{"any backup of it", "are being destroyed"}},
		// Shredding failed and was left to the purge: the receipt must not
		// say the keys are gone.
		{AccountDeleted("gone@example.com", at, at.Add(30*24*time.Hour), false), "Your Quire account is deleted",
			[]string{"are being destroyed", "retried automatically", "Fri, 3 Apr 2026 05:06 UTC", "stays readable"},
			[]string{"were destroyed", "now unreadable", "can be decrypted there any more"}},
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
			for _, w := range tt.not {
				if strings.Contains(m.text, w) || strings.Contains(m.html, w) {
					t.Errorf("a part says %q:\ntext:\n%s\nhtml:\n%s", w, m.text, m.html)
				}
			}
			if got := linkLine.MatchString(m.text); got != (tt.msg.Data["link"] != "") {
				t.Errorf("link line in the text part: %t", got)
			}
			if strings.Count(m.text, "@") != 0 {
				t.Errorf("the text part names an address:\n%s", m.text)
			}
		})
	}
}
