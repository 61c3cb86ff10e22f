package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/trust"
)

// browserUA is what the intake's bot policy lets through.
const browserUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

// noRedirects is a client of the server in data that does not follow
// redirects.
func noRedirects(t *testing.T, data string) *http.Client {
	t.Helper()
	c := client(t, data)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// submitReport posts a report to the running server as a browser's
// script would, and returns the report's ID.
func submitReport(t *testing.T, s *running, title, details string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": "reporter@example.com", "title": title, "details": details})
	req, _ := http.NewRequest(http.MethodPost, s.url+"/api/v1/security/reports", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", browserUA)
	resp, err := client(t, s.data).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		ReportID string `json:"reportId"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusAccepted || !quire.ValidID(out.ReportID) {
		t.Fatalf("report answered %d %+v (%v)", resp.StatusCode, out, err)
	}
	return out.ReportID
}

// waitForMail waits until the outbox of data holds a message of kind.
func waitForMail(t *testing.T, data, kind string) []string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if files := authtest.Files(t, filepath.Join(data, "outbox"), kind); len(files) > 0 || time.Now().After(deadline) {
			return files
		}
	}
}

// TestServeDisclosure runs vulnerability disclosure through quire serve
// and the operator's CLI: security.txt, a report with its receipt and
// alert, the reminder of the background scan 36 hours on (the clock is
// moved over a restart), and the answers.
func TestServeDisclosure(t *testing.T) {
	dir := t.TempDir()
	data, cfgPath := filepath.Join(dir, "data"), filepath.Join(dir, "quire.yaml")
	if err := os.WriteFile(cfgPath, []byte("disclosure:\n  operator_email: ops@example.com\n  hiring: https://example.com/jobs\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, data, "--config", cfgPath)
	c := noRedirects(t, data)
	resp, err := c.Get(s.url + "/.well-known/security.txt")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	txt, err := trust.ParseSecurityTxt(body)
	if resp.StatusCode != 200 || err != nil {
		t.Fatalf("security.txt: %d %v\n%s", resp.StatusCode, err, body)
	}
	fetched, _ := url.Parse(s.url + "/.well-known/security.txt")
	if problems, _ := txt.Problems(time.Now(), fetched); len(problems) != 0 {
		t.Fatalf("security.txt problems %q:\n%s", problems, body)
	}
	if got := txt.Values("Contact"); len(got) != 1 || got[0] != s.url+"/security/report" {
		t.Errorf("Contact %q, want the intake", got)
	}
	if got := txt.Values("Hiring"); len(got) != 1 || got[0] != "https://example.com/jobs" {
		t.Errorf("Hiring %q", got)
	}
	resp, err = c.Get(s.url + "/security.txt")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently {
		t.Errorf("/security.txt answered %d", resp.StatusCode)
	}

	title := "qcanary-title-" + quire.NewID()
	id := submitReport(t, s, title, "details\x1b[2J")
	if files := waitForMail(t, data, mail.KindSecurityReportReceived); len(files) != 1 {
		t.Fatalf("%d receipts", len(files))
	}
	if files := waitForMail(t, data, mail.KindSecurityReportAlert); len(files) != 1 {
		t.Fatalf("%d alerts", len(files))
	}
	s.stop(t)

	// 36 hours on, the scan that starts with the server reminds the operator.
	now = func() time.Time { return time.Now().Add(36*time.Hour + time.Minute) }
	t.Cleanup(func() { now = time.Now })
	s = startServe(t, data, "--config", cfgPath)
	files := waitForMail(t, data, mail.KindSecurityReportOverdue)
	if len(files) != 1 {
		t.Fatalf("%d reminders after 36 hours, want 1", len(files))
	}
	if b, _ := os.ReadFile(files[0]); !bytes.Contains(b, []byte(id)) || bytes.Contains(b, []byte("qcanary")) {
		t.Errorf("the reminder does not name the report, or carries its content")
	}
	s.stop(t)
	for _, f := range []string{"logs"} {
		entries, _ := os.ReadDir(filepath.Join(data, f))
		for _, e := range entries {
			if b, _ := os.ReadFile(filepath.Join(data, f, e.Name())); bytes.Contains(b, []byte("qcanary")) {
				t.Errorf("the log %s holds the report's title", e.Name())
			}
		}
	}

	// Thirteen hours on (49 after the report), the operator lists, reads
	// and answers it.
	now = func() time.Time { return time.Now().Add(49 * time.Hour) }
	out := runOK(t, "admin", "reports", "list", "--data", data, "--config", cfgPath)
	if !strings.Contains(out, id) || !strings.Contains(out, "YES") || !strings.Contains(out, "1 report(s) past the 48-hour window") || strings.Contains(out, "qcanary") {
		t.Fatalf("list:\n%s", out)
	}
	out = runOK(t, "admin", "reports", "show", id, "--data", data, "--config", cfgPath)
	if !strings.Contains(out, title) || !strings.Contains(out, `details\x1b[2J`) || strings.Contains(out, "\x1b") ||
		!strings.Contains(out, "reporter@example.com") || !strings.Contains(out, "OVERDUE by 1h0m0s") {
		t.Fatalf("show:\n%q", out)
	}
	if out = runOK(t, "admin", "reports", "ack", id, "--data", data, "--config", cfgPath); !strings.Contains(out, "is acknowledged. Acknowledged 1h0m0s late.") {
		t.Fatalf("ack: %s", out)
	}
	if out = runOK(t, "admin", "reports", "resolve", id, "--data", data, "--config", cfgPath); !strings.Contains(out, "is resolved") {
		t.Fatalf("resolve: %s", out)
	}
	// The reporter heard of both answers, and of nothing they wrote.
	statuses := authtest.Files(t, filepath.Join(data, "outbox"), mail.KindSecurityReportStatus)
	if len(statuses) != 2 {
		t.Fatalf("%d status emails to the reporter, want 2", len(statuses))
	}
	for i, want := range []string{"acknowledged", "resolved"} {
		b, _ := os.ReadFile(statuses[i])
		if !bytes.Contains(b, []byte(id)) || !bytes.Contains(b, []byte(want)) || !bytes.Contains(b, []byte("reporter@example.com")) || bytes.Contains(b, []byte("qcanary")) {
			t.Errorf("status email %d does not say %s to the reporter, or carries the report", i, want)
		}
	}
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"admin", "reports", "ack", id, "--data", data}, &stdout, &stderr)
	if quire.ErrorCode(err) != quire.ECONFLICT {
		t.Fatalf("acknowledging a resolved report: %v", err)
	}
	err = run(context.Background(), []string{"admin", "reports", "show", quire.NewID(), "--data", data}, &stdout, &stderr)
	if quire.ErrorCode(err) != quire.ENOTFOUND {
		t.Fatalf("an unknown report: %v", err)
	}
}

func TestAdminReportsUsage(t *testing.T) {
	for _, args := range [][]string{{"admin", "reports"}, {"admin", "reports", "show"}, {"admin", "reports", "list", "x"},
		{"admin", "reports", "delete", "x"}} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, &stdout, &stderr)
		if code, ok := err.(exitCode); !ok || code != 2 || !strings.Contains(stderr.String(), "quire admin reports list") {
			t.Errorf("quire %v: err %v, stderr %q", args, err, stderr.String())
		}
	}
	data := filepath.Join(t.TempDir(), "data")
	a, err := openApp(context.Background(), mustConfig(t, data), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	if out := runOK(t, "admin", "reports", "list", "--data", data); !strings.Contains(out, "No vulnerability reports.") {
		t.Fatalf("list of none: %s", out)
	}
}

// TestEscapeControls keeps a stranger's text from driving the terminal.
func TestEscapeControls(t *testing.T) {
	in := "line one\n\ttabbed \x1b]0;owned\x07 \u202egnp.exe \xff \u2028sep\u2029"
	want := "line one\n\ttabbed \\x1b]0;owned\\a \\u202egnp.exe \\ufffd \\u2028sep\\u2029"
	if got := escapeControls(in); got != want {
		t.Fatalf("escapeControls = %q, want %q", got, want)
	}
	if got := escapeLine("a\nb\tc"); got != `a\nb\tc` {
		t.Fatalf("escapeLine = %q", got)
	}
}

// TestShowReportFencesDetails gives details that imitate the header: every
// line of them stays indented under the rule.
func TestShowReportFencesDetails(t *testing.T) {
	r := &quire.SecurityReport{ID: quire.NewID(), Status: quire.SecurityReportNew, Email: "a@example.com\nStatus: resolved",
		Title: "t", Details: "fine\nStatus:        resolved\r\nReporter:      ceo@example.com\u2028Closed: now", ReceivedAt: now(), AckDue: now().Add(time.Hour)}
	var b bytes.Buffer
	showReport(&b, r)
	out := b.String()
	_, details, ok := strings.Cut(out, "Details (as the reporter wrote them, escaped):\n")
	if !ok {
		t.Fatalf("no details rule:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSuffix(details, "\n"), "\n") {
		if !strings.HasPrefix(line, "    | ") {
			t.Errorf("a line of the details is not fenced: %q", line)
		}
	}
	if strings.Count("\n"+out, "\nStatus:") != 1 || strings.Count("\n"+out, "\nReporter:") != 1 || !strings.Contains(out, "    | Status:        resolved\\r") ||
		!strings.Contains(out, `a@example.com\nStatus: resolved`) || strings.Contains(out, "\u2028") {
		t.Fatalf("show:\n%s", out)
	}
}

// TestAdminReportsListOverdueFirst hides a late report behind more than a
// listing's worth of newer ones: the list shows it first, and pages the
// rest.
func TestAdminReportsListOverdueFirst(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	a, err := openApp(ctx, mustConfig(t, data), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	late := &quire.SecurityReport{Email: "a@example.com", Title: "t", Details: "d", ReceivedAt: time.Now().Add(-60 * time.Hour)}
	if err := a.stores.reports.CreateSecurityReport(ctx, late); err != nil {
		t.Fatal(err)
	}
	var newest string
	for i := range quire.MaxSecurityReportList + 1 {
		r := &quire.SecurityReport{Email: "b@example.com", Title: "t", Details: "d", ReceivedAt: time.Now().Add(time.Duration(i-2000) * time.Second)}
		if err := a.stores.reports.CreateSecurityReport(ctx, r); err != nil {
			t.Fatal(err)
		}
		newest = r.ID
	}
	a.Close()
	out := runOK(t, "admin", "reports", "list", "--data", data)
	head, rest, ok := strings.Cut(out, "All reports, newest first (page 1):")
	if !ok || !strings.Contains(head, "1 report(s) past the 48-hour window") || !strings.Contains(head, late.ID) ||
		!strings.Contains(rest, newest) || strings.Contains(rest, late.ID) || !strings.Contains(rest, "quire admin reports list 2") {
		t.Fatalf("list:\n%s", out)
	}
	if n := strings.Count(rest, "\n"); n != 1+1+50+1 {
		t.Errorf("page 1 has %d lines, want its title, a header, 50 reports and the next page's hint", n)
	}
	out = runOK(t, "admin", "reports", "list", "21", "--data", data)
	if _, rest, _ := strings.Cut(out, "(page 21):"); !strings.Contains(rest, late.ID) || strings.Contains(rest, "list 22") {
		t.Fatalf("the last page does not end with the oldest report:\n%s", out)
	}
}
