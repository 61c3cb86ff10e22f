package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/mail"
)

// TestCloseStopsJobsBeforeMail closes an app whose background job sends
// an email as it stops (a reminder the overdue scan was sending): the
// email is delivered, because the mail queue closes after the jobs.
func TestCloseStopsJobsBeforeMail(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	a, err := openApp(context.Background(), mustConfig(t, data), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	outbox := filepath.Join(data, "outbox")
	a.mail = mail.NewAsync(&mail.Outbox{Dir: outbox}, 4, nil)
	var sendErr error
	a.closers = append(a.closers, func() error {
		sendErr = a.mail.Send(context.Background(), mail.SecurityReportOverdue("ops@example.com", "r1", now(), now()))
		return nil
	})
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if sendErr != nil {
		t.Fatalf("the stopping job could not queue its email: %v", sendErr)
	}
	if files := authtest.Files(t, outbox, mail.KindSecurityReportOverdue); len(files) != 1 {
		t.Fatalf("%d reminders delivered, want 1", len(files))
	}
}
