package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// reportAt is a fixed instant the report tests count from, in the past so
// that stores comparing with their own clock see nothing in the future.
var reportAt = time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.UTC)

// mustReport stores a report received at received with the given title.
func mustReport(t *testing.T, s Stores, received time.Time, title string) *quire.SecurityReport {
	t.Helper()
	r := &quire.SecurityReport{Email: "reporter@example.com", Title: title, Details: "details of " + title, ReceivedAt: received}
	mustOK(t, s.SecurityReports.CreateSecurityReport(context.Background(), r), "CreateSecurityReport")
	return r
}

// sameReportMeta fails unless got and want agree on everything but content.
func sameReportMeta(t *testing.T, got, want *quire.SecurityReport) {
	t.Helper()
	if got.ID != want.ID || got.Status != want.Status || !got.ReceivedAt.Equal(want.ReceivedAt) || !got.AckDue.Equal(want.AckDue) ||
		!got.AcknowledgedAt.Equal(want.AcknowledgedAt) || !got.ClosedAt.Equal(want.ClosedAt) || !got.RemindedAt.Equal(want.RemindedAt) {
		t.Fatalf("report\n got %+v\nwant %+v", got, want)
	}
	for _, tm := range []time.Time{got.ReceivedAt, got.AckDue, got.AcknowledgedAt, got.ClosedAt, got.RemindedAt} {
		if !tm.IsZero() && tm.Location() != time.UTC {
			t.Fatalf("report time %v is not in UTC", tm)
		}
	}
}

// testSecurityReports checks creation, reading with content, and listing
// without it.
func testSecurityReports(t *testing.T, s Stores) {
	ctx := context.Background()
	r := &quire.SecurityReport{Email: "alice@example.com", Title: "XSS in the note title", Details: "Steps:\n1. <script>…", ReceivedAt: reportAt}
	mustOK(t, s.SecurityReports.CreateSecurityReport(ctx, r), "CreateSecurityReport")
	if !quire.ValidID(r.ID) || r.Status != quire.SecurityReportNew || !r.ReceivedAt.Equal(reportAt.Truncate(time.Microsecond)) ||
		!r.AckDue.Equal(r.ReceivedAt.Add(quire.SecurityReportAckWindow)) || !r.AcknowledgedAt.IsZero() {
		t.Fatalf("created %+v", r)
	}
	got, err := s.SecurityReports.FindSecurityReportByID(ctx, r.ID)
	mustOK(t, err, "FindSecurityReportByID")
	sameReportMeta(t, got, r)
	if got.Email != r.Email || got.Title != r.Title || got.Details != r.Details {
		t.Fatalf("content read back as %q / %q / %q", got.Email, got.Title, got.Details)
	}
	_, err = s.SecurityReports.FindSecurityReportByID(ctx, quire.NewID())
	wantCode(t, err, quire.ENOTFOUND)

	// A zero ReceivedAt is now; AckDue may be set explicitly.
	now := &quire.SecurityReport{Email: "bob@example.com", Title: "t", Details: "d", AckDue: reportAt.Add(time.Hour)}
	mustOK(t, s.SecurityReports.CreateSecurityReport(ctx, now), "CreateSecurityReport now")
	checkTimes(t, "report received", now.ReceivedAt, now.ReceivedAt)
	if !now.AckDue.Equal(reportAt.Add(time.Hour)) {
		t.Fatalf("AckDue %v, want the one given", now.AckDue)
	}
	older := mustReport(t, s, reportAt.Add(-time.Hour), "older")

	list, err := s.SecurityReports.FindSecurityReports(ctx, quire.SecurityReportFilter{})
	mustOK(t, err, "FindSecurityReports")
	if len(list) != 3 {
		t.Fatalf("listed %d reports, want 3", len(list))
	}
	for i, want := range []*quire.SecurityReport{now, r, older} { // newest first
		sameReportMeta(t, list[i], want)
		if list[i].Email != "" || list[i].Title != "" || list[i].Details != "" {
			t.Fatalf("a listing carries content: %+v", list[i])
		}
	}
}

// testSecurityReportValidation checks that a refused report names its
// field with a precise code and stores nothing.
func testSecurityReportValidation(t *testing.T, s Stores) {
	ctx := context.Background()
	ok := quire.SecurityReport{Email: "a@example.com", Title: "t", Details: "d"}
	tests := []struct {
		name string
		edit func(r *quire.SecurityReport)
		code string
	}{
		{"no title", func(r *quire.SecurityReport) { r.Title = " " }, quire.EFIELDREQUIRED},
		{"no details", func(r *quire.SecurityReport) { r.Details = "" }, quire.EFIELDREQUIRED},
		{"no email", func(r *quire.SecurityReport) { r.Email = "" }, quire.EFIELDREQUIRED},
		{"long title", func(r *quire.SecurityReport) { r.Title = strings.Repeat("é", quire.MaxSecurityReportTitle+1) }, quire.EFIELDTOOLONG},
		{"long details", func(r *quire.SecurityReport) { r.Details = strings.Repeat("x", quire.MaxSecurityReportDetails+1) }, quire.EFIELDTOOLONG},
		{"long email", func(r *quire.SecurityReport) { r.Email = strings.Repeat("a", 250) + "@e.com" }, quire.EFIELDTOOLONG},
		{"bad email", func(r *quire.SecurityReport) { r.Email = "not an address" }, quire.EEMAILINVALID},
		{"email without domain", func(r *quire.SecurityReport) { r.Email = "a@" }, quire.EEMAILINVALID},
		{"invalid UTF-8", func(r *quire.SecurityReport) { r.Title = "\xff" }, quire.EINVALID},
		{"title on two lines", func(r *quire.SecurityReport) { r.Title = "a\r\nb" }, quire.EINVALID},
	}
	for _, tt := range tests {
		r := ok
		tt.edit(&r)
		err := s.SecurityReports.CreateSecurityReport(ctx, &r)
		if quire.ErrorCode(err) != tt.code || r.ID != "" {
			t.Errorf("%s: err %v (ID %q), want code %s and no ID", tt.name, err, r.ID, tt.code)
		}
	}
	// The longest values are accepted, counted in characters.
	r := ok
	r.Title = strings.Repeat("é", quire.MaxSecurityReportTitle)
	r.Details = strings.Repeat("ü", quire.MaxSecurityReportDetails)
	mustOK(t, s.SecurityReports.CreateSecurityReport(ctx, &r), "CreateSecurityReport at the limits")
	list, err := s.SecurityReports.FindSecurityReports(ctx, quire.SecurityReportFilter{})
	mustOK(t, err, "FindSecurityReports")
	if len(list) != 1 {
		t.Fatalf("%d reports stored, want only the valid one", len(list))
	}
}

// testSecurityReportStatus checks the moves between statuses, their
// timestamps, and the moves that are refused.
func testSecurityReportStatus(t *testing.T, s Stores) {
	ctx := context.Background()
	r := mustReport(t, s, reportAt, "to resolve")
	set := func(id string, st quire.SecurityReportStatus, at time.Time) (*quire.SecurityReport, error) {
		return s.SecurityReports.SetSecurityReportStatus(ctx, id, st, at)
	}
	ack := reportAt.Add(3 * time.Hour)
	got, err := set(r.ID, quire.SecurityReportAcknowledged, ack)
	mustOK(t, err, "acknowledge")
	r.Status, r.AcknowledgedAt = quire.SecurityReportAcknowledged, ack.Truncate(time.Microsecond)
	sameReportMeta(t, got, r)
	_, err = set(r.ID, quire.SecurityReportAcknowledged, ack)
	wantCode(t, err, quire.ECONFLICT)
	closed := reportAt.Add(72 * time.Hour)
	got, err = set(r.ID, quire.SecurityReportResolved, closed)
	mustOK(t, err, "resolve")
	r.Status, r.ClosedAt = quire.SecurityReportResolved, closed.Truncate(time.Microsecond)
	sameReportMeta(t, got, r)
	for _, st := range []quire.SecurityReportStatus{quire.SecurityReportAcknowledged, quire.SecurityReportRejected, quire.SecurityReportResolved} {
		_, err = set(r.ID, st, closed)
		wantCode(t, err, quire.ECONFLICT)
	}
	found, err := s.SecurityReports.FindSecurityReportByID(ctx, r.ID)
	mustOK(t, err, "FindSecurityReportByID")
	sameReportMeta(t, found, r)

	// Rejecting a new report acknowledges it at the same time.
	spam := mustReport(t, s, reportAt, "spam")
	got, err = set(spam.ID, quire.SecurityReportRejected, closed)
	mustOK(t, err, "reject")
	spam.Status, spam.AcknowledgedAt, spam.ClosedAt = quire.SecurityReportRejected, closed.Truncate(time.Microsecond), closed.Truncate(time.Microsecond)
	sameReportMeta(t, got, spam)

	_, err = set(quire.NewID(), quire.SecurityReportAcknowledged, ack)
	wantCode(t, err, quire.ENOTFOUND)
	other := mustReport(t, s, reportAt, "other")
	for _, st := range []quire.SecurityReportStatus{quire.SecurityReportNew, "bogus", ""} {
		_, err = set(other.ID, st, ack)
		wantCode(t, err, quire.EINVALID)
	}
	found, err = s.SecurityReports.FindSecurityReportByID(ctx, other.ID)
	mustOK(t, err, "FindSecurityReportByID")
	sameReportMeta(t, found, other)
}

// testSecurityReportFilters checks what the overdue scan relies on: the
// filters by status, deadline (inclusive) and reminder, the limit, and that a
// reminder is recorded once.
func testSecurityReportFilters(t *testing.T, s Stores) {
	ctx := context.Background()
	var rs []*quire.SecurityReport
	for i := range 4 {
		rs = append(rs, mustReport(t, s, reportAt.Add(time.Duration(i)*time.Hour), "r"+itoa(i)))
	}
	_, err := s.SecurityReports.SetSecurityReportStatus(ctx, rs[0].ID, quire.SecurityReportAcknowledged, reportAt)
	mustOK(t, err, "acknowledge")
	ids := func(f quire.SecurityReportFilter) string {
		t.Helper()
		list, err := s.SecurityReports.FindSecurityReports(ctx, f)
		mustOK(t, err, "FindSecurityReports")
		var out []string
		for _, r := range list {
			for i, x := range rs {
				if x.ID == r.ID {
					out = append(out, itoa(i))
				}
			}
		}
		return strings.Join(out, ",")
	}
	due := reportAt.Add(quire.SecurityReportAckWindow)
	for _, tt := range []struct {
		f    quire.SecurityReportFilter
		want string
	}{
		{quire.SecurityReportFilter{}, "3,2,1,0"},
		{quire.SecurityReportFilter{Limit: 2}, "3,2"},
		{quire.SecurityReportFilter{Status: quire.SecurityReportNew}, "3,2,1"},
		{quire.SecurityReportFilter{Status: quire.SecurityReportAcknowledged}, "0"},
		{quire.SecurityReportFilter{DueBy: due.Add(time.Hour)}, "1,0"},
		{quire.SecurityReportFilter{Status: quire.SecurityReportNew, DueBy: due.Add(time.Hour)}, "1"},
	} {
		if got := ids(tt.f); got != tt.want {
			t.Errorf("filter %+v listed %q, want %q", tt.f, got, tt.want)
		}
	}

	mark := func(id string, at time.Time) bool {
		t.Helper()
		ok, err := s.SecurityReports.MarkSecurityReportReminded(ctx, id, at, at.Add(-12*time.Hour))
		mustOK(t, err, "MarkSecurityReportReminded")
		return ok
	}
	if !mark(rs[1].ID, due) || mark(rs[1].ID, due) || mark(rs[1].ID, due.Add(12*time.Hour-time.Microsecond)) {
		t.Fatal("a reminder must be recorded by the first call only, until the interval has passed")
	}
	if mark(rs[0].ID, due) || mark(quire.NewID(), due) {
		t.Fatal("a reminder was recorded for an acknowledged or unknown report")
	}
	if got := ids(quire.SecurityReportFilter{Status: quire.SecurityReportNew, RemindedBefore: due.Add(-time.Hour)}); got != "3,2" {
		t.Fatalf("new reports not reminded since an hour before %q, want 3,2", got)
	}
	if got := ids(quire.SecurityReportFilter{Status: quire.SecurityReportNew, RemindedBefore: due}); got != "3,2,1" {
		t.Fatalf("new reports not reminded since (inclusive) %q, want 3,2,1", got)
	}
	got, err := s.SecurityReports.FindSecurityReportByID(ctx, rs[1].ID)
	mustOK(t, err, "FindSecurityReportByID")
	if !got.RemindedAt.Equal(due) {
		t.Fatalf("RemindedAt %v, want %v", got.RemindedAt, due)
	}

	// 12 hours on, the next reminder may be claimed; a claim given back
	// restores the previous reminder, and only the claim that is current.
	next := due.Add(12 * time.Hour)
	if !mark(rs[1].ID, next) {
		t.Fatal("the reminder 12 hours after the last was refused")
	}
	mustOK(t, s.SecurityReports.UnmarkSecurityReportReminded(ctx, rs[1].ID, next.Add(time.Second), time.Time{}), "Unmark another claim")
	got, err = s.SecurityReports.FindSecurityReportByID(ctx, rs[1].ID)
	mustOK(t, err, "FindSecurityReportByID")
	if !got.RemindedAt.Equal(next) {
		t.Fatalf("RemindedAt %v after giving back a claim that is not current, want %v", got.RemindedAt, next)
	}
	mustOK(t, s.SecurityReports.UnmarkSecurityReportReminded(ctx, rs[1].ID, next, due), "Unmark")
	got, err = s.SecurityReports.FindSecurityReportByID(ctx, rs[1].ID)
	mustOK(t, err, "FindSecurityReportByID")
	if !got.RemindedAt.Equal(due) {
		t.Fatalf("RemindedAt %v after giving the claim back, want %v", got.RemindedAt, due)
	}
	if !mark(rs[2].ID, due) {
		t.Fatal("first reminder of r2 refused")
	}
	mustOK(t, s.SecurityReports.UnmarkSecurityReportReminded(ctx, rs[2].ID, due, time.Time{}), "Unmark to never")
	got, err = s.SecurityReports.FindSecurityReportByID(ctx, rs[2].ID)
	mustOK(t, err, "FindSecurityReportByID")
	if !got.RemindedAt.IsZero() {
		t.Fatalf("RemindedAt %v after giving back the first claim, want none", got.RemindedAt)
	}
}

// testSecurityReportOverdueOrder checks what keeps an overdue report from
// hiding behind newer ones: the deadline order, counting past the listing
// limit, and paging.
func testSecurityReportOverdueOrder(t *testing.T, s Stores) {
	ctx := context.Background()
	late := mustReport(t, s, reportAt.Add(-72*time.Hour), "late")
	var newer []*quire.SecurityReport
	for i := range 5 {
		newer = append(newer, mustReport(t, s, reportAt.Add(time.Duration(i)*time.Minute), "newer"+itoa(i)))
	}
	_, err := s.SecurityReports.SetSecurityReportStatus(ctx, newer[0].ID, quire.SecurityReportAcknowledged, reportAt)
	mustOK(t, err, "acknowledge")
	list := func(f quire.SecurityReportFilter) []*quire.SecurityReport {
		t.Helper()
		out, err := s.SecurityReports.FindSecurityReports(ctx, f)
		mustOK(t, err, "FindSecurityReports")
		return out
	}
	if got := list(quire.SecurityReportFilter{Limit: 3}); len(got) != 3 || got[0].ID != newer[4].ID {
		t.Fatalf("newest first with a limit: %d, first %v", len(got), got)
	}
	overdue := quire.SecurityReportFilter{Status: quire.SecurityReportNew, DueBy: reportAt.Add(-time.Hour), OldestDueFirst: true, Limit: 1}
	if got := list(overdue); len(got) != 1 || got[0].ID != late.ID {
		t.Fatalf("the overdue listing with a limit of 1 does not hold the late report: %+v", got)
	}
	byDeadline := list(quire.SecurityReportFilter{Status: quire.SecurityReportNew, OldestDueFirst: true})
	want := []string{late.ID, newer[1].ID, newer[2].ID, newer[3].ID, newer[4].ID}
	if len(byDeadline) != len(want) {
		t.Fatalf("%d new reports by deadline, want %d", len(byDeadline), len(want))
	}
	for i, r := range byDeadline {
		if r.ID != want[i] {
			t.Fatalf("by deadline, #%d is %s, want %s", i, r.ID, want[i])
		}
	}
	if got := list(quire.SecurityReportFilter{Status: quire.SecurityReportNew, OldestDueFirst: true, Limit: 2, Offset: 3}); len(got) != 2 ||
		got[0].ID != newer[3].ID || got[1].ID != newer[4].ID {
		t.Fatalf("page 2 of 2-by-deadline from offset 3: %+v", got)
	}
	for _, tt := range []struct {
		f    quire.SecurityReportFilter
		want int
	}{
		{quire.SecurityReportFilter{}, 6},
		{quire.SecurityReportFilter{Limit: 1}, 6},
		{quire.SecurityReportFilter{Status: quire.SecurityReportNew}, 5},
		{overdue, 1},
		{quire.SecurityReportFilter{Status: quire.SecurityReportNew, DueBy: reportAt.Add(quire.SecurityReportAckWindow + 2*time.Minute)}, 3},
	} {
		n, err := s.SecurityReports.CountSecurityReports(ctx, tt.f)
		mustOK(t, err, "CountSecurityReports")
		if n != tt.want {
			t.Errorf("count %+v = %d, want %d", tt.f, n, tt.want)
		}
	}
}

// testSecurityReportCanary checks that what a reporter wrote appears
// nowhere in raw storage, survives a restart, and that a key rotation with
// rewrap and retirement leaves it readable.
func testSecurityReportCanary(t *testing.T, s Stores) {
	ctx := context.Background()
	email, title, details := marker(), marker(), marker()
	r := &quire.SecurityReport{Email: email + "@example.com", Title: title, Details: "before " + details + " after"}
	mustOK(t, s.SecurityReports.CreateSecurityReport(ctx, r), "CreateSecurityReport")
	mustUser(t, s, "someone") // a user scope too, so that rotation has a KEK's keys to move
	for _, mk := range []string{email, title, details} {
		found, err := s.Inspector.ScanRaw(ctx, []byte(mk))
		mustOK(t, err, "ScanRaw")
		if len(found) != 0 {
			t.Errorf("a report's content is in raw storage at %v", found)
		}
	}
	wantReport := func(in Stores) {
		t.Helper()
		got, err := in.SecurityReports.FindSecurityReportByID(ctx, r.ID)
		mustOK(t, err, "FindSecurityReportByID")
		if got.Email != r.Email || got.Title != r.Title || got.Details != r.Details {
			t.Fatal("the report's content changed")
		}
	}
	mustOK(t, s.Barrier.Rotate(ctx), "Rotate")
	plan := planRetire(t, s)
	mustOK(t, s.Rewrap(ctx, nil), "Rewrap")
	retire(t, s, plan)
	wantCleanKeys(t, s)
	wantReport(s)
	wantReport(s.Reopen(t))
}
