package http_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	"github.com/quirehq/quire/disclosure"
	"github.com/quirehq/quire/edge/bot"
	"github.com/quirehq/quire/edge/shield"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/internal/fakeclock"
	"github.com/quirehq/quire/mail"
	"github.com/quirehq/quire/sqlite"
	"github.com/quirehq/quire/trust"
)

// disclosureFor returns a disclosure service over the store of db and b
// that writes its email to outbox; cfg sets the rest (its Reports and
// Mail are filled in).
func disclosureFor(t testing.TB, db *sqlite.DB, b *barrier.Barrier, outbox string, cfg disclosure.Config) *disclosure.Service {
	t.Helper()
	cfg.Reports = sqlite.NewSecurityReportService(db, b)
	cfg.Mail = &mail.Outbox{Dir: outbox, Logger: slog.New(slog.DiscardHandler)}
	svc, err := disclosure.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// discEnv is a server with accounts and the disclosure routes on one
// SQLite store, on a manual clock.
type discEnv struct {
	srv    *quirehttp.Server
	svc    *disclosure.Service
	clock  *fakeclock.Clock
	outbox string
	logs   *logBuffer
}

// discOptions change newDiscEnv's server.
type discOptions struct {
	disc   disclosure.Config
	noAuth bool // no account system: no configured base URL either
	bots   bool // the default bot policy
	shield bool // the default shield
}

func newDiscEnv(t *testing.T, o discOptions) *discEnv {
	t.Helper()
	db, b, dir := authtest.SQLite(t)
	e := &discEnv{clock: fakeclock.New(), outbox: filepath.Join(dir, "outbox")}
	logger, logs := newLogger()
	e.logs = logs
	o.disc.Now, o.disc.Logger = e.clock.Now, logger
	e.svc = disclosureFor(t, db, b, e.outbox, o.disc)
	cfg := quirehttp.Config{Disclosure: e.svc, Logger: logger}
	if !o.noAuth {
		cfg.Auth, _ = authtest.OnStore(t, db, b, dir, authtest.Options{})
		cfg.AuthBurst = 1000
	}
	if o.bots {
		d, err := bot.New(bot.DefaultConfig(), bot.WithResolver(googleDNS{}))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Bots = d
	}
	if o.shield {
		sh, err := shield.New(shield.Config{})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Shield = sh
	}
	e.srv = quirehttp.NewServer(cfg)
	return e
}

// send runs a request from a browser at addr (same-origin) through the
// whole stack.
func (e *discEnv) send(method, path, contentType, body, addr string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "https://quire.test"+path, strings.NewReader(body))
	req.RemoteAddr = addr + ":4000"
	req.Header.Set("User-Agent", chromeUA)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return rec
}

// report posts a JSON report from addr.
func (e *discEnv) report(addr string, body any) (int, string, map[string]any) {
	b, _ := json.Marshal(body)
	rec := e.send(http.MethodPost, "/api/v1/security/reports", "application/json", string(b), addr)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	code := ""
	if errBody, ok := out["error"].(map[string]any); ok {
		code, _ = errBody["code"].(string)
	}
	return rec.Code, code, out
}

// reports returns every stored report, with its content.
func (e *discEnv) reports(t *testing.T) []*quire.SecurityReport {
	t.Helper()
	list, err := e.svc.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []*quire.SecurityReport
	for _, r := range list {
		full, err := e.svc.Get(context.Background(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, full)
	}
	return out
}

func goodReport(title string) map[string]string {
	return map[string]string{"email": "reporter@example.com", "title": title, "details": "Steps to reproduce: …"}
}

func TestSecurityTxtDefaults(t *testing.T) {
	e := newDiscEnv(t, discOptions{disc: disclosure.Config{Txt: disclosure.TxtConfig{PreferredLanguages: []string{"en"}}}})
	rec := e.send(http.MethodGet, "/.well-known/security.txt", "", "", "192.0.2.1")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/plain; charset=utf-8" || rec.Header().Get("Cache-Control") != "public, max-age=3600" {
		t.Fatalf("answered %d %v", rec.Code, rec.Header())
	}
	assertSecurityHeaders(t, rec.Header(), hstsWant)
	txt, err := trust.ParseSecurityTxt(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("%v:\n%s", err, rec.Body)
	}
	fetched := &url.URL{Scheme: "https", Host: "quire.test", Path: "/.well-known/security.txt"}
	if problems, _ := txt.Problems(e.clock.Now(), fetched); len(problems) != 0 {
		t.Fatalf("problems %q in:\n%s", problems, rec.Body)
	}
	want := map[string][]string{
		"contact": {"https://quire.test/security/report"}, "policy": {"https://quire.test/security/report"},
		"expires": {e.clock.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)}, "preferred-languages": {"en"},
		"canonical": {"https://quire.test/.well-known/security.txt"},
	}
	if len(txt.Fields) != len(want) {
		t.Errorf("fields %v, want %v", txt.Fields, want)
	}
	for name, values := range want {
		if got := txt.Values(name); strings.Join(got, "|") != strings.Join(values, "|") {
			t.Errorf("%s = %q, want %q", name, got, values)
		}
	}
	// Expires is computed when served.
	e.clock.Add(time.Hour)
	rec = e.send(http.MethodGet, "/.well-known/security.txt", "", "", "192.0.2.1")
	if !strings.Contains(rec.Body.String(), "Expires: "+e.clock.Now().Add(30*24*time.Hour).Format(time.RFC3339)+"\n") {
		t.Errorf("Expires did not move with the clock:\n%s", rec.Body)
	}
	if rec := e.send(http.MethodHead, "/.well-known/security.txt", "", "", "192.0.2.1"); rec.Code != 200 {
		t.Errorf("HEAD answered %d", rec.Code)
	}
	rec = e.send(http.MethodGet, "/security.txt", "", "", "192.0.2.1")
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/.well-known/security.txt" {
		t.Errorf("/security.txt answered %d to %q", rec.Code, rec.Header().Get("Location"))
	}
}

func TestSecurityTxtConfigured(t *testing.T) {
	txtCfg := disclosure.TxtConfig{
		Contacts:     []string{"mailto:security@example.com", "https://example.com/security"},
		ExpiresAfter: 7 * 24 * time.Hour, Policy: "https://example.com/policy", PreferredLanguages: []string{"en", "de"},
		Acknowledgments: "https://example.com/thanks", Hiring: "https://example.com/jobs", Encryption: "https://example.com/pgp.asc",
	}
	// Without accounts there is no configured base URL: the request's host is.
	e := newDiscEnv(t, discOptions{disc: disclosure.Config{Txt: txtCfg}, noAuth: true})
	rec := e.send(http.MethodGet, "/.well-known/security.txt", "", "", "192.0.2.1")
	want := "Contact: mailto:security@example.com\nContact: https://example.com/security\n" +
		"Expires: " + e.clock.Now().Add(7*24*time.Hour).Format(time.RFC3339) + "\n" +
		"Encryption: https://example.com/pgp.asc\nAcknowledgments: https://example.com/thanks\nPreferred-Languages: en, de\n" +
		"Canonical: https://quire.test/.well-known/security.txt\nPolicy: https://example.com/policy\nHiring: https://example.com/jobs\n"
	if rec.Code != 200 || !strings.HasSuffix(rec.Body.String(), want) {
		t.Fatalf("answered %d:\n%s\nwant it to end with:\n%s", rec.Code, rec.Body, want)
	}
	// A file naming the request's host must not be cached for others.
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control %q for a file that reflects the host, want no-store", cc)
	}
	// A value that could add a line of its own is left out.
	bad := txtCfg
	bad.Hiring = "https://example.com/jobs\nContact: mailto:evil@example.com"
	if body := string(bad.Render("https://quire.test", e.clock.Now())); strings.Contains(body, "evil") || strings.Contains(body, "Hiring") {
		t.Fatalf("a line break in a value reached the file:\n%s", body)
	}
}

// TestDisclosureBotPolicy lets automated clients read security.txt and
// keeps them from the intake, which takes the pages' policy.
func TestDisclosureBotPolicy(t *testing.T) {
	e := newDiscEnv(t, discOptions{bots: true})
	for _, tc := range []struct {
		ua, method, path string
		denied           bool
	}{
		{"curl/8.5.0", http.MethodGet, "/.well-known/security.txt", false},
		{"python-requests/2.32.3", http.MethodGet, "/security.txt", false},
		{trust.ProbeUserAgent, http.MethodGet, "/.well-known/security.txt", false},
		{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", http.MethodGet, "/.well-known/security.txt", false},
		{"curl/8.5.0", http.MethodGet, "/security/report", true},
		{"curl/8.5.0", http.MethodPost, "/api/v1/security/reports", true},
		{"python-requests/2.32.3", http.MethodPost, "/security/report", true},
		{chromeUA, http.MethodGet, "/security/report", false},
	} {
		req := httptest.NewRequest(tc.method, "https://quire.test"+tc.path, strings.NewReader(`{}`))
		req.RemoteAddr = "192.0.2.9:4000"
		req.Header.Set("User-Agent", tc.ua)
		if tc.ua == chromeUA {
			req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
			req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
			req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		}
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		denied := rec.Code == http.StatusForbidden && strings.Contains(rec.Body.String(), quirehttp.EBOTDENIED)
		if denied != tc.denied {
			t.Errorf("%s %s by %q: %d, denied %t, want %t", tc.method, tc.path, tc.ua, rec.Code, denied, tc.denied)
		}
	}
	if len(e.reports(t)) != 0 {
		t.Fatal("a denied client stored a report")
	}
}

func TestSecurityReportAPI(t *testing.T) {
	e := newDiscEnv(t, discOptions{disc: disclosure.Config{OperatorEmail: "ops@example.com"}})
	title, details := "qcanary-title-5e1d", "qcanary-details-<script>alert(1)</script>"
	status, code, body := e.report("192.0.2.1", map[string]string{"email": "Reporter@Example.com", "title": title, "details": details})
	if status != http.StatusAccepted || code != "" {
		t.Fatalf("answered %d %q %v", status, code, body)
	}
	id, _ := body["reportId"].(string)
	if !quire.ValidID(id) || len(body) != 2 || body["receiptSent"] != true {
		t.Fatalf("body %v, want only a reportId and receiptSent true", body)
	}
	stored := e.reports(t)
	if len(stored) != 1 || stored[0].ID != id || stored[0].Email != "reporter@example.com" || stored[0].Title != title || stored[0].Details != details {
		t.Fatalf("stored %+v", stored)
	}
	receipts := authtest.Files(t, e.outbox, mail.KindSecurityReportReceived)
	alerts := authtest.Files(t, e.outbox, mail.KindSecurityReportAlert)
	if len(receipts) != 1 || len(alerts) != 1 {
		t.Fatalf("%d receipts and %d alerts in the outbox, want 1 each", len(receipts), len(alerts))
	}
	for _, f := range append(receipts, alerts...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), id) || strings.Contains(string(b), "qcanary") {
			t.Errorf("%s: want the reference and none of the report", filepath.Base(f))
		}
	}
	if strings.Contains(e.logs.String(), "qcanary") || strings.Contains(e.logs.String(), "reporter@") {
		t.Errorf("the log holds the report or its reporter:\n%s", e.logs.String())
	}
	// The longest details fit the body limit however a client encodes
	// them: here each character as a JSON surrogate pair.
	longest := `{"email":"a@example.com","title":"t","details":"` + strings.Repeat(`\ud83d\udd12`, quire.MaxSecurityReportDetails) + `"}`
	if rec := e.send(http.MethodPost, "/api/v1/security/reports", "application/json", longest, "192.0.2.1"); rec.Code != http.StatusAccepted {
		t.Fatalf("the longest details answered %d: %s", rec.Code, rec.Body)
	}
}

func TestSecurityReportAPIRefusesBadInput(t *testing.T) {
	e := newDiscEnv(t, discOptions{disc: disclosure.Config{ReportsPerHour: 1000}})
	long := func(n int) string { return strings.Repeat("ä", n) }
	for _, tc := range []struct {
		name   string
		body   string
		status int
		code   string
		field  string
	}{
		{"missing email", `{"title":"t","details":"d"}`, 422, quire.EFIELDREQUIRED, "Email"},
		{"missing title", `{"email":"a@example.com","details":"d"}`, 422, quire.EFIELDREQUIRED, "Title"},
		{"blank details", `{"email":"a@example.com","title":"t","details":"   "}`, 422, quire.EFIELDREQUIRED, "Details"},
		{"long title", `{"email":"a@example.com","title":"` + long(201) + `","details":"d"}`, 422, quire.EFIELDTOOLONG, "Title"},
		{"long details", `{"email":"a@example.com","title":"t","details":"` + long(20001) + `"}`, 422, quire.EFIELDTOOLONG, "Details"},
		{"long email", `{"email":"` + strings.Repeat("a", 250) + `@example.com","title":"t","details":"d"}`, 422, quire.EFIELDTOOLONG, "Email"},
		{"bad email", `{"email":"not-an-address","title":"t","details":"d"}`, 422, quire.EEMAILINVALID, "Email"},
		{"email with a display name", `{"email":"Eve <eve@example.com>","title":"t","details":"d"}`, 422, quire.EEMAILINVALID, "Email"},
		{"unknown field", `{"email":"a@example.com","title":"t","details":"d","severity":"high"}`, 400, quire.EINVALID, "Field"},
		{"wrong type", `{"email":"a@example.com","title":7,"details":"d"}`, 400, quire.EINVALID, "Field"},
		{"not JSON", `email=a@example.com`, 400, quire.EINVALID, "Request body"},
		{"two values", `{} {}`, 400, quire.EINVALID, "Request body"},
		{"too large", `{"email":"a@example.com","title":"t","details":"` + strings.Repeat("x", 320<<10) + `"}`, 413, quire.ETOOLARGE, "Request body"},
	} {
		rec := e.send(http.MethodPost, "/api/v1/security/reports", "application/json", tc.body, "192.0.2.1")
		errBody := decodeError(t, rec.Body.String())
		if rec.Code != tc.status || errBody.Error.Code != tc.code || !strings.HasPrefix(errBody.Error.Message, tc.field) {
			t.Errorf("%s: %d %q %q, want %d %s naming %s", tc.name, rec.Code, errBody.Error.Code, errBody.Error.Message, tc.status, tc.code, tc.field)
		}
	}
	if n := len(e.reports(t)); n != 0 || len(authtest.Files(t, e.outbox, "")) != 0 {
		t.Fatalf("refused reports stored %d reports or sent email", n)
	}
}

// TestSecurityReportRateLimit spends one address's hourly budget across
// the API and the form; refused reports do not spend it, other addresses
// have their own, and it refills with time.
func TestSecurityReportRateLimit(t *testing.T) {
	e := newDiscEnv(t, discOptions{disc: disclosure.Config{ReportsPerHour: 2}})
	for i := range 2 {
		if status, code, _ := e.report("192.0.2.1", goodReport("r"+strconv.Itoa(i))); status != 202 {
			t.Fatalf("report %d: %d %s", i, status, code)
		}
	}
	rec := e.send(http.MethodPost, "/api/v1/security/reports", "application/json", `{"email":"a@example.com","title":"t","details":"d"}`, "192.0.2.1")
	if errBody := decodeError(t, rec.Body.String()); rec.Code != 429 || errBody.Error.Code != quire.ERATELIMITED || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("third report answered %d %q (Retry-After %q)", rec.Code, errBody.Error.Code, rec.Header().Get("Retry-After"))
	}
	if status, code, _ := e.report("192.0.2.1", map[string]string{"email": "a@example.com", "title": "", "details": "d"}); status != 422 || code != quire.EFIELDREQUIRED {
		t.Fatalf("a bad report over the budget answered %d %s, want its own 422", status, code)
	}
	form := url.Values{"email": {"a@example.com"}, "title": {"t"}, "details": {"d"}}
	if rec := e.send(http.MethodPost, "/security/report", "application/x-www-form-urlencoded", form.Encode(), "192.0.2.1"); rec.Code != 429 ||
		!strings.Contains(rec.Body.String(), "Too many attempts from your network") {
		t.Fatalf("the form over the budget answered %d:\n%s", rec.Code, rec.Body)
	}
	if status, _, _ := e.report("192.0.2.2", goodReport("elsewhere")); status != 202 {
		t.Fatalf("another address answered %d", status)
	}
	if n := len(e.reports(t)); n != 3 {
		t.Fatalf("%d reports stored, want 3", n)
	}
}

func TestSecurityReportForm(t *testing.T) {
	e := newDiscEnv(t, discOptions{})
	b := newPageEnvFor(e).browser(t)
	r := b.get("/security/report").want(t, 200)
	doc := r.page(t)
	if forms := doc.find("form"); len(forms) != 1 || forms[0].attrs["action"] != "/security/report" {
		t.Fatalf("forms %+v", forms)
	}
	r.contains(t, "within 48 hours", `maxlength="20000"`, `href="/.well-known/security.txt"`)

	// A refused report shows the form again, with what was typed.
	bad := url.Values{"email": {"reporter@example.com"}, "title": {""}, "details": {"a <b>detail</b>"}}
	r = b.post("/security/report", bad).want(t, 422)
	r.page(t)
	r.contains(t, "Title is required.", `value="reporter@example.com"`, "a &lt;b&gt;detail&lt;/b&gt;")

	good := url.Values{"email": {"reporter@example.com"}, "title": {"CSRF on logout"}, "details": {"Steps: …"}}
	b.post("/security/report", good).redirect(t, "/security/report?done=report-sent")
	b.get("/security/report?done=report-sent").want(t, 200).contains(t, "your report is in")
	if list := e.reports(t); len(list) != 1 || list[0].Title != "CSRF on logout" {
		t.Fatalf("stored %+v", list)
	}
	if n := len(authtest.Files(t, e.outbox, mail.KindSecurityReportReceived)); n != 1 {
		t.Fatalf("%d receipts, want 1", n)
	}
	// Once the address's receipts are spent, the notice promises none.
	for range disclosure.DefaultReceiptsPerAddress - 1 {
		b.post("/security/report", good).redirect(t, "/security/report?done=report-sent")
	}
	b.post("/security/report", good).redirect(t, "/security/report?done=report-sent-no-receipt")
	page := b.get("/security/report?done=report-sent-no-receipt").want(t, 200)
	page.contains(t, "your report is in", "No receipt could be sent")
	if strings.Contains(page.body, "on its way") {
		t.Fatal("the notice promises a receipt that was not sent")
	}

	// Another site cannot post a report in the visitor's name.
	b.site = "cross-site"
	if r := b.post("/security/report", good); r.StatusCode != 403 {
		t.Fatalf("a cross-site form answered %d", r.StatusCode)
	}
}

// TestSecurityReportPastTheShield sends a proof of concept that the Core
// Rule Set would refuse anywhere else: a report is an attack by design.
func TestSecurityReportPastTheShield(t *testing.T) {
	e := newDiscEnv(t, discOptions{shield: true})
	poc := "<script>alert(document.cookie)</script> ' OR 1=1 -- ; cat /etc/passwd"
	status, code, _ := e.report("192.0.2.1", map[string]string{"email": "a@example.com", "title": "XSS and SQLi", "details": poc})
	if status != 202 {
		t.Fatalf("answered %d %s", status, code)
	}
	form := url.Values{"email": {"a@example.com"}, "title": {"again"}, "details": {poc}}
	if rec := e.send(http.MethodPost, "/security/report", "application/x-www-form-urlencoded", form.Encode(), "192.0.2.1"); rec.Code != http.StatusSeeOther {
		t.Fatalf("the form answered %d", rec.Code)
	}
	// The query string is still inspected.
	if rec := e.send(http.MethodGet, "/security/report?q=%3Cscript%3Ealert(1)%3C/script%3E", "", "", "192.0.2.3"); rec.Code != http.StatusForbidden {
		t.Fatalf("an attack in the query answered %d", rec.Code)
	}
}

// newPageEnvFor wraps a discEnv for the page helpers' browser.
func newPageEnvFor(e *discEnv) *pageEnv { return &pageEnv{srv: e.srv, outbox: e.outbox, logs: e.logs} }

// TestSecurityReportGlobalCap spreads reports over many client addresses:
// past disclosure.reports_global_per_hour in all, each is refused with 429
// and Retry-After, whatever its address.
func TestSecurityReportGlobalCap(t *testing.T) {
	e := newDiscEnv(t, discOptions{disc: disclosure.Config{ReportsPerHour: 1000, ReportsGlobalPerHour: 3}})
	for i := range 3 {
		if status, code, _ := e.report("192.0.2."+strconv.Itoa(10+i), goodReport("r"+strconv.Itoa(i))); status != 202 {
			t.Fatalf("report %d: %d %s", i, status, code)
		}
	}
	rec := e.send(http.MethodPost, "/api/v1/security/reports", "application/json", `{"email":"a@example.com","title":"t","details":"d"}`, "198.51.100.7")
	if errBody := decodeError(t, rec.Body.String()); rec.Code != 429 || errBody.Error.Code != quire.ERATELIMITED || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("a fourth report from a new address answered %d %q (Retry-After %q)", rec.Code, errBody.Error.Code, rec.Header().Get("Retry-After"))
	}
	if n := len(e.reports(t)); n != 3 {
		t.Fatalf("%d reports stored, want 3", n)
	}
	e.clock.Add(time.Hour)
	if status, _, _ := e.report("198.51.100.7", goodReport("later")); status != 202 {
		t.Fatalf("an hour later answered %d", status)
	}
}
